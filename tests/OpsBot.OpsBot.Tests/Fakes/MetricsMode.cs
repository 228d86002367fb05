namespace OpsBot.OpsBot.Tests.Fakes;

public enum MetricsMode
{
    Ok,
    Garbage,
    ServerError,
    Hang,
}
