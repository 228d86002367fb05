using System.Text.Json.Nodes;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Startup;

/// <summary>The built ops-bot run as its own process: it refuses to start without tokens, and never prints a secret.</summary>
[Collection(InfraFixture.Collection)]
public sealed class ProcessTests(InfraFixture infra)
{
    private static ServiceProcess Start(Dictionary<string, string> env) =>
        ServiceProcess.Start("ops-bot", "services/ops-bot", "OpsBot.Bot", new Dictionary<string, string>(env)
        {
            ["LOG_FORMAT"] = "text",
            ["SECRETS_BACKEND"] = env.GetValueOrDefault("SECRETS_BACKEND", "env"),
        });

    [Fact]
    public async Task Refuses_to_start_without_the_bot_token()
    {
        await using var bot = Start(new() { ["SLACK_APP_TOKEN"] = "xapp-do-not-print-me" });
        Assert.Equal(2, await bot.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var output = string.Join('\n', bot.Output);
        Assert.Contains("ops-bot: cannot start: SLACK_BOT_TOKEN is missing from environment variables", output);
        Assert.DoesNotContain("xapp-do-not-print-me", output);
    }

    [Fact]
    public async Task Refuses_to_start_with_neither_Socket_Mode_nor_a_signing_secret()
    {
        await using var bot = Start(new() { ["SLACK_BOT_TOKEN"] = "xoxb-do-not-print-me" });
        Assert.Equal(2, await bot.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var output = string.Join('\n', bot.Output);
        Assert.Contains("ops-bot: cannot start: neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP request URLs)", output);
        Assert.DoesNotContain("xoxb-do-not-print-me", output);
    }

    [Fact]
    public async Task Refuses_to_start_when_Vault_refuses_the_token()
    {
        await using var vault = await FakeVault.StartAsync("hvs.right", "secret", "opsbot", new Dictionary<string, string>());
        await using var bot = Start(new()
        {
            ["SECRETS_BACKEND"] = "vault", ["VAULT_ADDR"] = vault.Address.ToString(), ["VAULT_TOKEN"] = "hvs.wrong-do-not-print", ["VAULT_PATH"] = "secret/opsbot",
        });
        Assert.Equal(2, await bot.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var output = string.Join('\n', bot.Output);
        Assert.Contains("Vault refused VAULT_TOKEN for secret/opsbot (HTTP 403)", output);
        Assert.DoesNotContain("hvs.wrong-do-not-print", output);
    }

    [Fact]
    public async Task Runs_with_secrets_from_Vault_answers_commands_and_never_logs_a_secret_value()
    {
        var secrets = new Dictionary<string, string>
        {
            ["SLACK_BOT_TOKEN"] = "xoxb-SECRET-bot-4f1d2c",
            ["SLACK_APP_TOKEN"] = "xapp-SECRET-app-9a8b7c",
            ["SLACK_SIGNING_SECRET"] = "SECRET-signing-5e6f7a",
        };
        const string vaultToken = "hvs.SECRET-vault-token-3c2b1a";
        await using var vault = await FakeVault.StartAsync(vaultToken, "secret", "opsbot/prod", secrets);
        await using var slack = await FakeSlackPlatform.StartAsync(secrets["SLACK_APP_TOKEN"], tls: false);
        await using var metrics = new FakeMetricsServer();
        await metrics.StartAsync();
        var vhost = await infra.CreateVirtualHostAsync();
        await using var tradingSystem = await BrokerListener.StartAsync(vhost); // something receives the kill-switch request

        var bot = Start(new()
        {
            ["SECRETS_BACKEND"] = "vault", ["VAULT_ADDR"] = vault.Address.ToString(), ["VAULT_TOKEN"] = vaultToken, ["VAULT_PATH"] = "secret/opsbot/prod",
            ["SLACK_API_URL"] = slack.ApiUrl.ToString(), ["METRICS_URL"] = metrics.Url.ToString(), ["METRICS_SCRAPE_INTERVAL"] = "0.5", ["METRICS_FRESHNESS"] = "5",
            ["RABBITMQ_URL"] = vhost, ["REDIS_URL"] = infra.RedisUrl, ["ALERT_ENABLE"] = "true", ["OPS_ADMINS"] = "UADMIN1",
            ["Logging__LogLevel__Default"] = "Debug", ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug", ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Debug",
        });
        try
        {
            await bot.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(30));
            Assert.Equal("{\"status\":\"ok\"}", await WaitHealthzOkAsync(bot));

            var status = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("status", "U1", slack.ResponseUrl("status")));
            Assert.Contains("*Status*", (await slack.WaitForAckAsync(status, TimeSpan.FromSeconds(10))).Payload!["text"]!.GetValue<string>());
            var kill = await slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand("killswitch engage global", "UADMIN1", slack.ResponseUrl("kill")));
            var confirm = (await slack.WaitForAckAsync(kill, TimeSpan.FromSeconds(10))).Payload!["blocks"]![1]!["elements"]![0]!["value"]!.GetValue<string>();
            await slack.SendEnvelopeAsync("interactive", SlackPayloads.ButtonClick("opsbot_killswitch_confirm", confirm, "UADMIN1", slack.ResponseUrl("confirm")));
            await slack.WaitForCallAsync(c => c.Path == "/response/confirm", TimeSpan.FromSeconds(15));
            using (var http = new HttpClient())
            {
                var body = SlackPayloads.Form(SlackPayloads.SlashCommand("help", "U1", slack.ResponseUrl("http")));
                using var signed = await http.SendAsync(SlackPayloads.Signed(new Uri(bot.BaseUrl, "slack/commands"), body, secrets["SLACK_SIGNING_SECRET"], DateTimeOffset.UtcNow));
                Assert.True(signed.IsSuccessStatusCode);
                using var forged = await http.SendAsync(SlackPayloads.Signed(new Uri(bot.BaseUrl, "slack/commands"), body, "guess", DateTimeOffset.UtcNow));
                Assert.Equal(401, (int)forged.StatusCode);
            }
            await slack.SendDisconnectAsync("refresh_requested");
            await slack.WaitForConnectionsAsync(2, TimeSpan.FromSeconds(15));
            Assert.All(slack.Calls.Where(c => c.Path.StartsWith("/api/", StringComparison.Ordinal) && c.Path != "/api/apps.connections.open"),
                c => Assert.Equal($"Bearer {secrets["SLACK_BOT_TOKEN"]}", c.Authorization));
        }
        finally
        {
            await bot.DisposeAsync();
        }

        var output = string.Join('\n', bot.Output);
        Assert.Contains("OpsAudit user=UADMIN1 command=/ops killswitch engage global (confirmed) outcome=allowed", output);
        foreach (var secret in secrets.Values.Append(vaultToken))
        {
            Assert.DoesNotContain(secret, output);
            Assert.DoesNotContain(secret[^8..], output); // not even a fragment
        }
        Assert.DoesNotContain("ticket=", output); // Socket Mode URLs carry a ticket: never logged
    }

    private static async Task<string> WaitHealthzOkAsync(ServiceProcess bot)
    {
        var last = "";
        for (var i = 0; i < 100; i++)
        {
            last = await bot.GetStringAsync("healthz");
            if (last.Contains("\"ok\"")) return last;
            await Task.Delay(100);
        }
        return last;
    }
}
