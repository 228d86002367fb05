using MassTransit;
using OpsBot.Notifier.Pipeline;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// Broker-side delayed redelivery for the Slack and Teams endpoints (<c>NOTIFIER_REDELIVERY_DELAYS</c>, on by default: <see cref="NotifierOptions.DefaultRedeliveryDelays"/>; empty or <c>off</c> turns it off):
/// a delivery that finally failed waits in <c>notifier-slack_delay_&lt;n&gt;</c> (or <c>notifier-teams_…</c>) and is tried
/// again; after the last delay it goes to <c>_error</c> and <c>AlertDeliveryFailed</c> is published (once).
/// Bad credentials and requests the channel rejects (auth, client errors) do not wait: waiting cannot fix them.
/// </summary>
public static class AlertRedelivery
{
    public static void Configure(IReceiveEndpointConfigurator endpoint, IServiceProvider services, NotifierOptions options) =>
        endpoint.UseBrokerDelayedRedelivery(services, options.Redelivery, Qualifies);

    /// <summary>Server errors, timeouts, rate limits past the wait budget and unexpected errors wait and are tried again.</summary>
    public static bool Qualifies(Exception exception) =>
        exception is not AlertDeliveryException { Cause.Kind: DeliveryErrorKind.Auth or DeliveryErrorKind.Permanent };
}
