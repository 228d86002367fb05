using System.Collections.Concurrent;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// The dispatchers of one integration, one per destination: Slack paces per channel (about one message a second
/// each), so the routing table's desk channels each get their own <see cref="ChannelDispatcher"/> (own pace, own shared
/// turn in Redis, own digest), made on first use. <see cref="Default"/> is <c>SLACK_ALERT_CHANNEL</c> (Teams: its webhook).
/// </summary>
public sealed class ChannelDispatchers(DeliveryChannel channel, string defaultDestination, Func<string, ChannelDispatcher> create) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ChannelDispatcher>> _dispatchers = new(StringComparer.Ordinal);

    public DeliveryChannel Channel => channel;
    public string DefaultDestination => defaultDestination;
    public ChannelDispatcher Default => For(defaultDestination);

    /// <summary>The dispatcher of <paramref name="destination"/> (a Slack channel id; null: the default).</summary>
    public ChannelDispatcher For(string? destination) =>
        _dispatchers.GetOrAdd(destination ?? defaultDestination, d => new Lazy<ChannelDispatcher>(() => create(d))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var dispatcher in _dispatchers.Values.Where(l => l.IsValueCreated)) await dispatcher.Value.DisposeAsync();
    }
}
