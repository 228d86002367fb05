namespace OpsBot.ServiceDefaults;

/// <summary>
/// Thrown by a consumer that has already retried on its own (or knows that retrying cannot help): the bus's
/// message retry (<see cref="BusExtensions.AddOpsBotBus"/>) lets it through at once, so the message goes
/// straight to the endpoint's <c>_error</c> queue, where an operator can re-drive it.
/// </summary>
public class NonRetryableException(string message, Exception? innerException = null) : Exception(message, innerException);
