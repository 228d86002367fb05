using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpsBot.Testing;

/// <summary>One OpsBot service run as its own process from its built dll, with the environment a test gives it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        HealthPort = port;
    }

    public string Name { get; }
    public int HealthPort { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{HealthPort}/");
    public IReadOnlyCollection<string> Output => _output.ToArray();
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public int ProcessId => _process.Id;

    /// <summary>Resident and peak resident memory (VmRSS, VmHWM) in bytes, from /proc.</summary>
    public (long Resident, long Peak) Memory()
    {
        long Read(string[] lines, string key) =>
            lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
                ? long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024
                : 0;
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        return (Read(status, "VmRSS:"), Read(status, "VmHWM:"));
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash (no graceful shutdown).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public static ServiceProcess Start(string name, string folder, string assembly, IDictionary<string, string> environment)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet", [RepoPaths.ServiceDll(folder, assembly)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.ServiceDll(folder, assembly))!,
        };
        psi.Environment["HEALTH_PORT"] = port.ToString();
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{string.Join('\n', Output.TakeLast(30))}");
            if (await StatusAsync("readyz") == HttpStatusCode.OK) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} not ready within {timeout.TotalSeconds:F0} s:\n{string.Join('\n', Output.TakeLast(30))}");
    }

    public async Task<HttpStatusCode?> StatusAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(BaseUrl, path));
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public Task<string> GetStringAsync(string path) => Http.GetStringAsync(new Uri(BaseUrl, path));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit(2000);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
