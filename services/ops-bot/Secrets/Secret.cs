namespace OpsBot.Bot.Secrets;

/// <summary>
/// A secret value that cannot be logged by accident: <see cref="ToString"/> and string interpolation
/// print <c>[redacted]</c>; only <see cref="Reveal"/> gives the value, at the point of use.
/// </summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;

    public override string ToString() => "[redacted]";
}
