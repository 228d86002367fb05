using MassTransit;
using OpsBot.Testing;

namespace OpsBot.Contracts.Tests;

/// <summary>
/// Version 2 beside version 1 on the real broker: one physical PnlUpdatedV2 message carries both
/// URNs; a consumer that knows only version 1 keeps working, a version-2 consumer sees the new field.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class VersioningTests(InfraFixture infra)
{
    [Fact]
    public async Task A_version_1_consumer_keeps_working_while_a_version_2_consumer_sees_the_new_field()
    {
        var url = new Uri(await infra.CreateVirtualHostAsync());
        var v1 = new TaskCompletionSource<ConsumeContext<PnlUpdated>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var v2 = new TaskCompletionSource<ConsumeContext<PnlUpdatedV2>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var user = url.UserInfo.Split(':');
            cfg.Host(url.Host, (ushort)url.Port, url.AbsolutePath.Trim('/'), h => { h.Username(user[0]); h.Password(user[1]); });
            cfg.ReceiveEndpoint("consumer-knows-v1", e => e.Handler<PnlUpdated>(c => { v1.TrySetResult(c); return Task.CompletedTask; }));
            cfg.ReceiveEndpoint("consumer-knows-v2", e => e.Handler<PnlUpdatedV2>(c => { v2.TrySetResult(c); return Task.CompletedTask; }));
        });
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try
        {
            var sent = new PnlUpdatedV2
            {
                CorrelationId = Guid.NewGuid(),
                Timestamp = DateTimeOffset.UtcNow,
                Account = "acct-1",
                Strategy = "momentum",
                Realized = -800.25m,
                Unrealized = -450m,
                Currency = "USD",
                AsOf = DateTimeOffset.UtcNow,
                Fees = 12.5m,
            };
            await bus.Publish(sent);

            var asV1 = await v1.Task.WaitAsync(TimeSpan.FromSeconds(20));
            var asV2 = await v2.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(["urn:message:opsbot.pnl-updated.v2", "urn:message:opsbot.pnl-updated.v1", "urn:message:opsbot.message"], asV1.SupportedMessageTypes);
            Assert.Equal(sent.CorrelationId, asV1.Message.CorrelationId);
            Assert.Equal(-1250.25m, asV1.Message.Total);
            Assert.Equal(asV1.MessageId, asV2.MessageId); // one physical message
            Assert.Equal(12.5m, asV2.Message.Fees);
            Assert.Equal("momentum", asV2.Message.Strategy);
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
