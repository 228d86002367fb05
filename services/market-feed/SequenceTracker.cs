namespace OpsBot.MarketFeed;

public enum SequenceVerdict
{
    /// <summary>The first frame of a connection: any number starts the count.</summary>
    First,
    InOrder,
    /// <summary>Numbers were skipped: frames were lost. The frame itself is used.</summary>
    Gap,
    /// <summary>At or below a number already seen (late or repeated): the frame is dropped.</summary>
    Stale,
}

/// <summary>
/// The exchange numbers every frame of a connection (<c>sequence_num</c>, from 0 on each new
/// connection). A higher number than the next expected one is a gap (lost frames: counted and
/// logged; no resync is needed because ticker frames carry the latest price and user frames the
/// full order state, so the next frame repairs the state); a number at or below one already seen
/// is stale and dropped, so per connection the published events' sequences strictly increase.
/// </summary>
public struct SequenceTracker
{
    private long _last;
    private bool _started;

    public void Reset() => _started = false;

    public SequenceVerdict Observe(long sequence, out long missed)
    {
        missed = 0;
        if (!_started)
        {
            _started = true;
            _last = sequence;
            return SequenceVerdict.First;
        }
        if (sequence <= _last) return SequenceVerdict.Stale;
        missed = sequence - _last - 1;
        _last = sequence;
        return missed == 0 ? SequenceVerdict.InOrder : SequenceVerdict.Gap;
    }
}
