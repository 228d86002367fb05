namespace OpsBot.FakeExchange;

/// <summary>Starts a held playback once every named session has a connection subscribed to the channels playback waits for.</summary>
public static class PlaybackGate
{
    /// <returns>true when playback was started, false when <paramref name="cancellationToken"/> ended the wait.</returns>
    public static async Task<bool> StartWhenSubscribedAsync(FakeExchangeServer server, IReadOnlyList<string> sessions, CancellationToken cancellationToken)
    {
        var required = server.Options.RequiredChannels;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (sessions.All(s => server.ConnectionsOf(s).FirstOrDefault() is { } first && IsSubscribedAndAnswered(first, required)))
            {
                server.StartPlayback();
                return true;
            }
            try { await Task.Delay(50, cancellationToken); }
            catch (OperationCanceledException) { return false; }
        }
        return false;
    }

    /// <summary>
    /// Subscribed to every required channel, and every message it sent answered: the answers take sequence numbers,
    /// so playing before the last one is out would number the first data frame differently in different sessions.
    /// </summary>
    private static bool IsSubscribedAndAnswered(ExchangeConnection connection, IReadOnlyList<string> required) =>
        required.All(connection.Subscriptions.ContainsKey)
        && Interlocked.Read(ref connection.FramesSent) >= connection.SubscribeMessages.Count;
}
