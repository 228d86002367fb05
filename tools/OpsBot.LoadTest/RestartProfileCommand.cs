using System.Text.Json;
using OpsBot.Testing;

namespace OpsBot.LoadTest;

/// <summary><c>scripts/loadtest --restart-profile</c>: runs <see cref="RestartRun"/>, prints the summary, writes the JSON.</summary>
public static class RestartProfileCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadScenario scenario;
        double goalMs;
        try
        {
            scenario = RestartProfile.Scenario(args);
            goalMs = RestartProfile.GoalMs(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
        var jsonPath = args.Contains("--json") ? args[Array.IndexOf(args, "--json") + 1] : Path.Combine(RepoPaths.Root, "artifacts", "restart-profile.json");

        var infra = new InfraFixture();
        await infra.InitializeAsync();
        try
        {
            var result = await new RestartRun(infra, Console.Out).RunAsync(scenario, goalMs);
            Print(Console.Out, result);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { measuredAt = DateTimeOffset.UtcNow, result },
                new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            Console.WriteLine($"\nloadtest: JSON written to {jsonPath}");
            return 0;
        }
        finally
        {
            await infra.DisposeAsync();
        }
    }

    private static void Print(TextWriter output, RestartProfileResult r)
    {
        var p = r.Pipeline;
        string At(int? seconds) => seconds is { } s ? $"{s} s" : "not within the run";
        output.WriteLine();
        output.WriteLine($"== restart profile: {r.Variant}");
        output.WriteLine($"  load average (1/5/15 min)     {r.LoadAverageBefore} before, {r.LoadAverageAfter} after");
        output.WriteLine($"  /readyz, each service alone   {string.Join(", ", r.Alone.Select(s => $"{s.Service} {s.ReadySeconds:F2} s"))}");
        output.WriteLine($"  JIT by then                   {string.Join(", ", r.Alone.Select(s => $"{s.Service} {s.JitSeconds:F2} s / {s.JitMethods:N0} methods"))}");
        output.WriteLine($"  pipeline /readyz (together)   {string.Join(", ", p.ReadySeconds.Select(kv => $"{kv.Key} {kv.Value:F2} s"))}; load from {p.LoadFromSeconds:F2} s");
        output.WriteLine($"  first 1 s window p99 Redis → AlertRaised < {r.GoalMs:F0} ms: ends {At(p.FirstUnderGoalSeconds)} after start; {RestartProfile.SteadyRun} windows in a row from the one ending {At(p.SteadyUnderGoalSeconds)}");
        output.WriteLine($"  sent / losses / alerts        {p.Sent:N0} / {p.LossesSent:N0} / {p.AlertsReceived:N0}");
    }
}
