using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpsBot.FakeExchange;
using OpsBot.Risk;
using OpsBot.Testing;

namespace OpsBot.EndToEnd.Tests;

/// <summary>The demo's processes take every core and fixed ports: it runs alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoScriptCollection
{
    public const string Name = "scripts/demo.sh";
}

/// <summary>
/// scripts/demo.sh as a user runs it: everything it prints, and scripts/slack against it while it is up. Written for
/// issue 15 item 8 (the demo started three of the six services; no test ran it, so it could break silently).
/// </summary>
[Collection(DemoScriptCollection.Name)]
public sealed class DemoScriptTests
{
    /// <summary>A bound only: the test stops the demo with Ctrl-C (SIGINT to its process group) once it has seen everything.</summary>
    private const int DemoSeconds = 600;

    /// <summary>
    /// The whole demo: the first screen says what to try; a PnL loss alert, the price-band alert from the fake
    /// exchange's jump and parity-checker's PASS report (market-feed raw vs sdk) appear; <c>scripts/slack</c> gets
    /// ops-bot's answers to <c>/ops pnl momentum</c> and <c>/ops parity</c> and its error for an unknown command;
    /// Ctrl-C stops it (exit 130), leaving no process, port, infra directory or env file behind. Before this
    /// change there was no ops-bot, market-feed, parity-checker or scripts/slack in the demo: every assertion after
    /// the loss alert failed.
    /// </summary>
    [Fact]
    public async Task The_demo_shows_the_alerts_a_parity_PASS_and_answers_slack_commands_then_stops_cleanly_on_ctrl_c()
    {
        var ports = DemoPorts.Pick();
        var work = Directory.CreateTempSubdirectory("opsbot-demo-test-").FullName;
        var envFile = Path.Combine(work, "slack.env");
        // Not inside work (mode 700): RabbitMQ runs as its own user and must reach its directory; infra.sh makes it 755.
        var infraDir = Path.Combine(Path.GetTempPath(), $"opsbot-demo-infra-{Guid.NewGuid():N}");
        var logDir = Path.Combine(work, "logs");
        var demo = DemoProcess.Start(new Dictionary<string, string>
        {
            ["DEMO_SECONDS"] = DemoSeconds.ToString(CultureInfo.InvariantCulture),
            ["DEMO_PORT"] = ports.Services.ToString(CultureInfo.InvariantCulture),
            ["SLACK_SINK_PORT"] = ports.Sink.ToString(CultureInfo.InvariantCulture),
            ["FAKE_EXCHANGE_PORT"] = ports.Exchange.ToString(CultureInfo.InvariantCulture),
            ["DEMO_ENV_FILE"] = envFile,
            ["DEMO_LOG_DIR"] = logDir,
            ["DEMO_INFRA_DIR"] = infraDir,
            ["DEMO_BUILD_OUTPUT"] = "1", // the suite built the solution already; publishing ReadyToRun takes minutes
            // parity-checker inherits it: a report per 15 s of exchange time instead of per minute, so the first PASS
            // comes about 45 s sooner (the demo itself keeps the service's default)
            ["PARITY_WINDOW_SECONDS"] = "15",
        }, logDir);
        try
        {
            // The first screen (publishing the services can take minutes on a fresh checkout: a generous wait).
            await demo.WaitForLineAsync(l => l.Contains("everything is up", StringComparison.Ordinal), TimeSpan.FromMinutes(20));
            await demo.WaitForLineAsync(l => l.StartsWith(" Stop: Ctrl-C", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
            var screen = demo.Output;
            Assert.Contains(screen, l => l.Contains("scripts/slack '/ops pnl momentum'", StringComparison.Ordinal));
            Assert.Contains(screen, l => l.Contains("RabbitMQ management: http://127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains(screen, l => l.Contains("price band", StringComparison.Ordinal));
            Assert.Contains(screen, l => l.Contains("Parity PASS", StringComparison.Ordinal));

            // The PnL loss alert, as the Slack sink prints what the notifier posted.
            await demo.WaitForLineAsync(l => l.Contains("PnL loss: momentum", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
            await demo.WaitForLineAsync(l => l.StartsWith("pnl-ingest: ", StringComparison.Ordinal) && l.Contains("Rejected PnL", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
            // The incident's life in that one message, as the sink prints it: critical as a reply in its thread (and the
            // message edited), then the recovery edits it to resolved.
            await demo.WaitForLineAsync(l => l.Contains("──── Slack ↳ reply in the thread of", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            await demo.WaitForLineAsync(l => l.Contains("✅ RESOLVED after", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            Assert.Contains(demo.Output, l => l.Contains("──── Slack ✎ the message", StringComparison.Ordinal));

            // A user's command in another terminal, answered by ops-bot from what it cached off the bus.
            var pnl = await SlackAsync(envFile, "/ops pnl momentum");
            Assert.True(pnl.ExitCode == 0, pnl.ToString());
            Assert.Contains("/ops pnl momentum → ops-bot", pnl.Stdout);
            Assert.Contains("momentum (demo-acct): total", pnl.Stdout);

            var unknown = await SlackAsync(envFile, "/ops frobnicate now");
            Assert.True(unknown.ExitCode == 0, unknown.ToString());
            Assert.Contains("Unknown command 'frobnicate'", unknown.Stdout);
            Assert.Contains("Usage: /ops help", unknown.Stdout);

            // The fake exchange's jump, judged by risk-evaluator on the ticks of both feed clients.
            await demo.WaitForLineAsync(l => l.Contains("BTC-USD moved above its price band", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
            // parity-checker's report: the two market-feed clients agree.
            await demo.WaitForLineAsync(l => l.StartsWith("parity-checker: Parity PASS", StringComparison.Ordinal), TimeSpan.FromMinutes(4));
            // parity-checker logs the report, then publishes it; ops-bot has it once it came off its queue.
            var parity = await SlackUntilAsync(envFile, "/ops parity", r => r.Stdout.Contains("*Parity: PASS*", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
            Assert.True(parity.ExitCode == 0, parity.ToString());
            Assert.Contains("*Parity: PASS*", parity.Stdout);
            Assert.Contains("• raw: ticker ", parity.Stdout);
            Assert.Contains("• sdk: ticker ", parity.Stdout);

            demo.Interrupt(); // Ctrl-C, as a user ends the demo
            Assert.Equal(130, await demo.WaitForExitAsync(TimeSpan.FromMinutes(3)));
            Assert.Contains("demo: stopped", demo.Output);
            Assert.DoesNotContain(demo.Output, l => l.Contains("Parity FAIL", StringComparison.Ordinal));
            Assert.DoesNotContain(demo.Output, l => l.Contains("ETH-USD moved", StringComparison.Ordinal));

            // It stopped everything on Ctrl-C, before any kill from here.
            Assert.Empty(await demo.ProcessesLeftAfterAsync(TimeSpan.FromSeconds(30)));
            Assert.Empty(ProcessesMentioning(infraDir));
            Assert.False(Directory.Exists(infraDir), "the demo left its Redis/RabbitMQ directory");
            Assert.False(File.Exists(envFile), "the demo left its signing secret file");
            foreach (var port in ports.All) Assert.False(Listening(port), $"port {port} still listening after the demo");
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- the demo printed (last 80 lines):\n{string.Join('\n', demo.Output.TakeLast(80))}\n{demo.LogTails()}\n--- {e}");
        }
        finally
        {
            await demo.StopAsync(); // on failure: the whole process group
            if (File.Exists(Path.Combine(infraDir, "ports")))
                await RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "infra.sh"), "stop", infraDir], null, TimeSpan.FromMinutes(2));
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The demo's price-band alert comes from its exchange session, for the default volatility model and the other
    /// two windowed ones: after warm-up, the calm ticks stay inside a 4 σ band and only BTC-USD's jump leaves it.
    /// The ticks go in as a client delivers them (of the out-of-order pair, the stale one is dropped).
    /// </summary>
    [Theory]
    [InlineData("ewma")]
    [InlineData("std")]
    [InlineData("atr")]
    public void The_demo_exchange_session_moves_only_BTC_USD_out_of_its_band_once(string method)
    {
        var session = DemoExchangeScript.Create();
        var rule = new PriceBandRule(method, new VolatilityOptions(), multiplier: 4.0);
        var breaches = new List<PriceBandBreach>();
        foreach (var ticker in Delivered(session.Script))
            if (rule.Observe(ticker.ProductId, double.Parse(ticker.Price, CultureInfo.InvariantCulture), out var breach)) breaches.Add(breach);

        var only = Assert.Single(breaches);
        Assert.Equal(DemoExchangeScript.SpikeSymbol, only.Symbol);
        Assert.True(only.IsAbove);
        Assert.Equal((double)session.SpikePrice, only.Price, precision: 2);
        Assert.Equal((double)session.PriceBeforeSpike, only.PreviousPrice, precision: 2);
    }

    /// <summary>scripts/slack signs exactly as Slack documents it (Slack's published example request).</summary>
    [Fact]
    public void Scripts_slack_signs_requests_as_Slack_does()
    {
        // https://api.slack.com/authentication/verifying-requests-from-slack
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        Assert.Equal("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            OpsBot.FakeSlack.SlashCommandSender.Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", System.Text.Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData(new[] { "/ops pnl momentum" }, "/ops", "pnl momentum")]
    [InlineData(new[] { "/ops", "pnl", "momentum" }, "/ops", "pnl momentum")]
    [InlineData(new[] { "pnl momentum" }, "/ops", "pnl momentum")]
    [InlineData(new[] { "/ops" }, "/ops", "")]
    public void Scripts_slack_reads_the_command_and_its_text_as_typed(string[] args, string command, string text)
    {
        Assert.Equal<(string, string)?>((command, text), OpsBot.FakeSlack.SlashCommandCli.Parse(args));
    }

    private static IEnumerable<TickerData> Delivered(ExchangeScript script)
    {
        foreach (var segment in script.Segments)
        {
            var swapped = false;
            foreach (var step in segment)
            {
                if (step is SwapNextStep) { swapped = true; continue; }
                if (step is not (TickerStep or OrdersStep)) continue;
                if (swapped) { swapped = false; continue; }
                if (step is TickerStep t) foreach (var ticker in t.Tickers) yield return ticker;
            }
        }
    }

    private static Task<CommandRun> SlackAsync(string envFile, string typed) =>
        RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "slack"), typed], new Dictionary<string, string> { ["DEMO_ENV_FILE"] = envFile }, TimeSpan.FromMinutes(3));

    /// <summary>The command's answer once it satisfies <paramref name="done"/>, or the last one when the wait is over.</summary>
    private static async Task<CommandRun> SlackUntilAsync(string envFile, string typed, Func<CommandRun, bool> done, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var run = await SlackAsync(envFile, typed);
            if (done(run) || DateTime.UtcNow >= deadline) return run;
            await Task.Delay(1000);
        }
    }

    private sealed record CommandRun(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    private static async Task<CommandRun> RunAsync(string file, string[] args, IDictionary<string, string>? environment, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalMinutes:F0} min");
        }
        return new CommandRun(process.ExitCode, await stdout, await stderr);
    }

    private static bool Listening(int port)
    {
        using var client = new TcpClient();
        try { client.Connect(IPAddress.Loopback, port); return true; }
        catch (SocketException) { return false; }
    }

    /// <summary>Processes whose command line names <paramref name="text"/> (Redis and RabbitMQ name their directory).</summary>
    private static List<string> ProcessesMentioning(string text)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(text, StringComparison.Ordinal)) found.Add($"{Path.GetFileName(dir)}: {cmdline}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Seven service ports in a row, then the sink's and the exchange's, all free now (above infra.sh's range).</summary>
    private sealed record DemoPorts(int Services, int Sink, int Exchange)
    {
        public IEnumerable<int> All => Enumerable.Range(Services, 7).Append(Sink).Append(Exchange);

        public static DemoPorts Pick()
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var first = Random.Shared.Next(51_000, 59_000);
                var ports = new DemoPorts(first, first + 7, first + 8);
                if (ports.All.All(p => !Listening(p) && CanBind(p))) return ports;
            }
            throw new InvalidOperationException("no nine free ports in a row found");
        }

        private static bool CanBind(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return true;
            }
            catch (SocketException) { return false; }
        }
    }

    /// <summary>scripts/demo.sh in a process group of its own (setsid), its output collected line by line.</summary>
    private sealed class DemoProcess
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly string _logDir;

        private DemoProcess(Process process, string logDir)
        {
            _process = process;
            _logDir = logDir;
        }

        public IReadOnlyList<string> Output => _output.ToArray();

        public static DemoProcess Start(IDictionary<string, string> environment, string logDir)
        {
            // setsid: bash leads a new process group (its pid is the group id), so the whole demo can be stopped at once.
            var psi = new ProcessStartInfo("setsid", ["bash", Path.Combine(RepoPaths.Root, "scripts", "demo.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepoPaths.Root,
            };
            foreach (var (k, v) in environment) psi.Environment[k] = v;
            var process = new Process { StartInfo = psi };
            var demo = new DemoProcess(process, logDir);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) demo._output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) demo._output.Enqueue(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return demo;
        }

        public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (_output.Any(match)) return;
                if (_process.HasExited)
                {
                    await Task.Delay(500); // the last lines still being read
                    if (_output.Any(match)) return;
                    throw new InvalidOperationException($"the demo exited ({_process.ExitCode}) before printing the expected line");
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"the demo did not print the expected line within {timeout.TotalMinutes:F0} min");
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        /// <summary>
        /// If it still runs: SIGTERM to the whole group (the script's trap stops the services and Redis/RabbitMQ),
        /// then SIGKILL to the group if anything is left after a minute.
        /// </summary>
        /// <summary>Ctrl-C in the demo's terminal: SIGINT to its whole process group.</summary>
        public void Interrupt() => Signal("INT", _process.Id);

        public async Task StopAsync()
        {
            var group = _process.Id;
            if (!_process.HasExited || ProcessesLeft().Count > 0)
            {
                Signal("TERM", group);
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
                for (var i = 0; i < 50 && ProcessesLeft().Count > 0; i++) await Task.Delay(200);
                if (ProcessesLeft().Count > 0) Signal("KILL", group);
                for (var i = 0; i < 50 && ProcessesLeft().Count > 0; i++) await Task.Delay(200);
            }
            await _process.WaitForExitAsync();
        }

        /// <summary>The processes still in the group once it is empty or <paramref name="wait"/> is over (exiting ones may take a moment).</summary>
        public async Task<List<string>> ProcessesLeftAfterAsync(TimeSpan wait)
        {
            var deadline = DateTime.UtcNow + wait;
            while (ProcessesLeft() is { Count: > 0 } left)
            {
                if (DateTime.UtcNow >= deadline) return left;
                await Task.Delay(200);
            }
            return [];
        }

        /// <summary>Processes still in the demo's process group.</summary>
        public List<string> ProcessesLeft()
        {
            var group = _process.Id.ToString(CultureInfo.InvariantCulture);
            var left = new List<string>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // state ppid pgrp …
                    if (fields[0] != "Z" && fields[2] == group) left.Add($"{Path.GetFileName(dir)}: {stat[..(stat.LastIndexOf(')') + 1)]}");
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return left;
        }

        public string LogTails()
        {
            if (!Directory.Exists(_logDir)) return "(no service logs)";
            return string.Join('\n', Directory.GetFiles(_logDir, "*.log").Order(StringComparer.Ordinal)
                .Select(f => $"--- {Path.GetFileName(f)} (last 15 lines):\n{string.Join('\n', File.ReadLines(f).TakeLast(15))}"));
        }

        private static void Signal(string signal, int group)
        {
            using var kill = Process.Start("kill", [$"-{signal}", "--", $"-{group}"]);
            kill?.WaitForExit(5000);
        }
    }
}
