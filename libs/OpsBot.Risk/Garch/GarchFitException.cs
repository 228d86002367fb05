namespace OpsBot.Risk;

/// <summary>
/// The data cannot support a GARCH(1,1) fit (too short, constant, non-finite, non-stationary at the optimum)
/// or the optimiser failed. The message says which, in one line.
/// </summary>
public sealed class GarchFitException : Exception
{
    public GarchFitException(string message) : base(message) { }

    public GarchFitException(string message, Exception inner) : base(message, inner) { }
}
