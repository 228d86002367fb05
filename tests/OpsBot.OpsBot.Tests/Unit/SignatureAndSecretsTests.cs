using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Bot;
using OpsBot.Bot.Secrets;
using OpsBot.Bot.Slack;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.ServiceDefaults;

namespace OpsBot.OpsBot.Tests.Unit;

public sealed class SignatureAndSecretsTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_531_420_618);

    private static SlackSignatureVerifier Verifier() => new(new Secret(Secret), new FakeTimeProvider(Now));

    [Fact]
    public void Matches_Slacks_published_example()
    {
        // https://api.slack.com/authentication/verifying-requests-from-slack
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        Assert.Equal("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SlackSignatureVerifier.Signature(Secret, "1531420618", Encoding.UTF8.GetBytes(body)));
        Assert.Equal(SignatureCheck.Valid, Verifier().Verify("1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Refuses_tampering_wrong_secret_stale_timestamps_and_missing_headers()
    {
        var body = Encoding.UTF8.GetBytes("text=status&user_id=U1");
        var ts = Now.ToUnixTimeSeconds().ToString();
        var good = SlackSignatureVerifier.Signature(Secret, ts, body);
        var verifier = Verifier();

        Assert.Equal(SignatureCheck.Valid, verifier.Verify(ts, good, body));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(ts, good, Encoding.UTF8.GetBytes("text=status&user_id=U2")));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(ts, SlackSignatureVerifier.Signature("another-secret", ts, body), body));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(ts, "v0=nothex", body));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(ts, "v1=" + good[3..], body));
        var old = (Now.ToUnixTimeSeconds() - 301).ToString();
        Assert.Equal(SignatureCheck.Stale, verifier.Verify(old, SlackSignatureVerifier.Signature(Secret, old, body), body));
        var future = (Now.ToUnixTimeSeconds() + 301).ToString();
        Assert.Equal(SignatureCheck.Stale, verifier.Verify(future, SlackSignatureVerifier.Signature(Secret, future, body), body));
        Assert.Equal(SignatureCheck.MissingHeader, verifier.Verify(null, good, body));
        Assert.Equal(SignatureCheck.MissingHeader, verifier.Verify(ts, "", body));
        Assert.Equal(SignatureCheck.BadTimestamp, verifier.Verify("yesterday", good, body));
    }

    [Fact]
    public async Task Directory_store_reads_one_file_per_secret()
    {
        var dir = Directory.CreateTempSubdirectory("opsbot-secrets-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "SLACK_BOT_TOKEN"), "xoxb-from-file\n");
            var store = new DirectorySecretStore(dir.FullName);
            Assert.Equal("xoxb-from-file", (await store.GetAsync("SLACK_BOT_TOKEN", default))!.Reveal());
            Assert.Null(await store.GetAsync("SLACK_APP_TOKEN", default));
            await Assert.ThrowsAsync<SecretStoreException>(() => new DirectorySecretStore(dir.FullName + "-missing").GetAsync("X", default));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Vault_store_reads_kv_v2_and_explains_refusals_without_the_token()
    {
        var data = new Dictionary<string, string> { ["SLACK_BOT_TOKEN"] = "xoxb-from-vault", ["SLACK_APP_TOKEN"] = "xapp-from-vault" };
        await using var vault = await FakeVault.StartAsync("hvs.right-token", "secret", "opsbot/prod", data);
        using var http = new HttpClient();

        var store = new VaultSecretStore(http, vault.Address, new Secret("hvs.right-token"), "secret/opsbot/prod");
        Assert.Equal("xoxb-from-vault", (await store.GetAsync("SLACK_BOT_TOKEN", default))!.Reveal());
        Assert.Equal("xapp-from-vault", (await store.GetAsync("SLACK_APP_TOKEN", default))!.Reveal());
        Assert.Null(await store.GetAsync("SLACK_SIGNING_SECRET", default));
        Assert.Equal(1, vault.Reads); // read once, kept

        var refused = await Assert.ThrowsAsync<SecretStoreException>(() => new VaultSecretStore(http, vault.Address, new Secret("hvs.wrong-token"), "secret/opsbot/prod").GetAsync("SLACK_BOT_TOKEN", default));
        Assert.Contains("refused VAULT_TOKEN", refused.Message);
        Assert.DoesNotContain("hvs.wrong-token", refused.Message);
        var missing = await Assert.ThrowsAsync<SecretStoreException>(() => new VaultSecretStore(http, vault.Address, new Secret("hvs.right-token"), "secret/other").GetAsync("SLACK_BOT_TOKEN", default));
        Assert.Contains("no secret at VAULT_PATH secret/other", missing.Message);
        Assert.Equal("v1/kv/data/team/opsbot", VaultSecretStore.DataPath("/kv/team/opsbot/"));
    }

    [Fact]
    public async Task Missing_or_wrong_tokens_are_refused_with_a_clear_message_that_holds_no_value()
    {
        static Task<SlackSecrets> Load(params (string, string)[] values)
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Item1, v => (string?)v.Item2)).Build();
            return SlackSecrets.LoadAsync(new EnvironmentSecretStore(config), default);
        }

        var none = await Assert.ThrowsAsync<SettingsException>(() => Load());
        Assert.Contains("SLACK_BOT_TOKEN is missing from environment variables", none.Message);
        var noMode = await Assert.ThrowsAsync<SettingsException>(() => Load(("SLACK_BOT_TOKEN", "xoxb-1")));
        Assert.Contains("neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET", noMode.Message);
        var wrongKind = await Assert.ThrowsAsync<SettingsException>(() => Load(("SLACK_BOT_TOKEN", "xapp-oops-secret"), ("SLACK_SIGNING_SECRET", "s")));
        Assert.DoesNotContain("xapp-oops-secret", wrongKind.Message);

        var ok = await Load(("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_APP_TOKEN", "xapp-1"));
        Assert.True(ok.SocketMode);
        Assert.False(ok.HttpEndpoints);
        Assert.DoesNotContain("xoxb-1", ok.ToString());
        Assert.Equal("[redacted]", $"{ok.BotToken}");
    }

    [Fact]
    public void Settings_reject_bad_admin_ids()
    {
        var settings = new Settings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OPS_ADMINS"] = "U1,bob" }).Build());
        Assert.Contains("'bob' is neither", Assert.Throws<SettingsException>(() => BotOptions.From(settings)).Message);
    }
}
