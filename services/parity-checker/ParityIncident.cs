namespace OpsBot.ParityChecker;

/// <summary>
/// Whether the <c>parity:market-feed</c> incident is open: a FAIL window opens it, the first PASS after it resolves it
/// once. parity-checker keeps no store (it uses no Redis), so after a start the state is <em>unknown</em>: a FAIL
/// before the restart may still be open. The first PASS after a start therefore resolves too (marked
/// <c>after_restart</c>); a consumer with no open incident for the key ignores it. So a restart never leaves a
/// failure open forever and costs at most one extra resolution. A resolution whose publish failed is not
/// remembered as done, so the next PASS tries again.
/// </summary>
public sealed class ParityIncident
{
    private enum State { Unknown, Failing, Passing }

    private State _state = State.Unknown;

    /// <summary>Called after a FAIL window's alert was published.</summary>
    public void Failed() => _state = State.Failing;

    /// <summary>True when a PASS window must publish a resolution; <paramref name="afterRestart"/>: the state was unknown.</summary>
    public bool ResolvesOnPass(out bool afterRestart)
    {
        afterRestart = _state == State.Unknown;
        return _state != State.Passing;
    }

    /// <summary>Called after a resolution was published.</summary>
    public void Passed() => _state = State.Passing;
}
