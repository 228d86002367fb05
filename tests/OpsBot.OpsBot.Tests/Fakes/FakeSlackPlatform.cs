using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace OpsBot.OpsBot.Tests.Fakes;

/// <summary>
/// Slack, as far as the ops-bot sees it: the Web API (<c>apps.connections.open</c>, <c>chat.update</c>,
/// <c>usergroups.users.list</c>, <c>chat.getPermalink</c>) and response_url targets over HTTP, and Socket Mode over wss (a self-signed
/// certificate; <see cref="Certificate"/> is what a client must trust) or ws. Each URL it hands out carries a
/// single-use ticket. A test sends envelopes and disconnects and reads the acknowledgements, and can make it
/// misbehave: a malformed <c>apps.connections.open</c> answer, Web API errors, a connection that goes silent.
/// </summary>
public sealed class FakeSlackPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _tickets = new();
    private readonly ConcurrentQueue<ApiCall> _calls = new();
    private readonly ConcurrentDictionary<string, AckRecord> _acks = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sentAt = new();
    private readonly List<Connection> _connections = [];
    private SilenceableProxy _proxy = null!;
    private readonly object _gate = new();
    private int _ticketNumber;

    private FakeSlackPlatform(WebApplication app, X509Certificate2 certificate, string appToken, bool tls)
    {
        _app = app;
        Certificate = certificate;
        AppToken = appToken;
        Tls = tls;
    }

    public X509Certificate2 Certificate { get; }
    public string AppToken { get; }
    public bool Tls { get; }
    public Uri ApiUrl { get; private set; } = null!;
    public Uri HttpBase { get; private set; } = null!;
    private Uri SocketBase { get; set; } = null!;

    /// <summary>User-group members for <c>usergroups.users.list</c>.</summary>
    public ConcurrentDictionary<string, string[]> UserGroups { get; } = new();

    public int TicketsIssued => _ticketNumber;
    public IReadOnlyList<ApiCall> Calls => _calls.ToArray();
    public IReadOnlyList<ApiCall> Responses => _calls.Where(c => c.Path.StartsWith("/response/", StringComparison.Ordinal)).ToArray();
    public int ConnectionCount { get { lock (_gate) return _connections.Count; } }
    public int RefusedTickets;

    /// <summary>How many of the next <c>apps.connections.open</c> calls answer ok with a URL that is not a string.</summary>
    public int MalformedConnectionAnswers;

    /// <summary>The HTTP status <c>chat.getPermalink</c> answers with (200: the link, <see cref="PermalinkOf"/>).</summary>
    public volatile int PermalinkStatus = 200;

    /// <summary>The stable link <c>chat.getPermalink</c> gives for a message.</summary>
    public Uri PermalinkOf(string channel, string ts) => new(HttpBase, $"archives/{channel}/p{ts.Replace(".", "", StringComparison.Ordinal)}");

    /// <summary>The HTTP status <c>usergroups.users.list</c> answers with (200: the members).</summary>
    public volatile int UserGroupsStatus = 200;

    public static async Task<FakeSlackPlatform> StartAsync(string appToken, bool tls = true)
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var httpPort = global::OpsBot.Testing.ServiceProcess.FreePort();
        var socketPort = global::OpsBot.Testing.ServiceProcess.FreePort();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, httpPort);
            k.Listen(IPAddress.Loopback, socketPort, l => { if (tls) l.UseHttps(certificate); });
        });
        var app = builder.Build();
        var fake = new FakeSlackPlatform(app, certificate, appToken, tls);
        app.UseWebSockets();
        app.MapPost("/api/apps.connections.open", fake.OpenConnection);
        app.MapPost("/api/{method}", fake.WebApi);
        app.MapGet("/api/{method}", fake.WebApi);
        app.MapPost("/response/{id}", fake.Response);
        app.Map("/link/", fake.LinkAsync);
        await app.StartAsync();
        fake.HttpBase = new Uri($"http://127.0.0.1:{httpPort}/");
        fake.ApiUrl = new Uri(fake.HttpBase, "api/");
        fake._proxy = new SilenceableProxy(socketPort);
        fake.SocketBase = new Uri($"{(tls ? "wss" : "ws")}://127.0.0.1:{fake._proxy.Port}/");
        return fake;
    }

    /// <summary>A response_url the bot may post to; <see cref="Responses"/> records what arrives.</summary>
    public Uri ResponseUrl(string id) => new(HttpBase, $"response/{id}");

    public async Task<string> SendEnvelopeAsync(string type, JsonObject payload, bool acceptsResponsePayload = true)
    {
        var id = Guid.NewGuid().ToString();
        var frame = new JsonObject
        {
            ["envelope_id"] = id,
            ["type"] = type,
            ["payload"] = payload,
            ["accepts_response_payload"] = acceptsResponsePayload,
            ["retry_attempt"] = 0,
            ["retry_reason"] = "",
        };
        _sentAt[id] = DateTimeOffset.UtcNow;
        await CurrentConnection().SendAsync(frame);
        return id;
    }

    public Task SendDisconnectAsync(string reason) =>
        CurrentConnection().SendAsync(new JsonObject { ["type"] = "disconnect", ["reason"] = reason, ["debug_info"] = new JsonObject { ["host"] = "fake" } });

    /// <summary>Kills the current socket without a close handshake (a dropped connection).</summary>
    public void DropConnection() => CurrentConnection().Socket.Abort();

    /// <summary>The current connection stays open but nothing passes any more, either way: no frames, no PONG.</summary>
    public void SilenceConnection() => _proxy.SilenceLatest();

    public async Task WaitForConnectionsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate) if (_connections.Count >= count && _connections[^1].Greeted) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"expected {count} Socket Mode connections within {timeout.TotalSeconds} s, got {ConnectionCount}");
    }

    public async Task<AckRecord> WaitForAckAsync(string envelopeId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_acks.TryGetValue(envelopeId, out var ack)) return ack;
            await Task.Delay(10);
        }
        throw new TimeoutException($"envelope {envelopeId} not acknowledged within {timeout.TotalSeconds} s");
    }

    public AckRecord? Ack(string envelopeId) => _acks.GetValueOrDefault(envelopeId);

    public async Task<ApiCall> WaitForCallAsync(Func<ApiCall, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_calls.FirstOrDefault(match) is { } call) return call;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no matching Slack call within {timeout.TotalSeconds} s; got: {string.Join(", ", _calls.Select(c => c.Path))}");
    }

    private Connection CurrentConnection()
    {
        lock (_gate) return _connections.Count > 0 ? _connections[^1] : throw new InvalidOperationException("no Socket Mode connection");
    }

    private IResult OpenConnection(HttpContext http)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        _calls.Enqueue(new ApiCall("/api/apps.connections.open", auth, null, DateTimeOffset.UtcNow));
        if (auth != $"Bearer {AppToken}") return Results.Json(new { ok = false, error = "invalid_auth" });
        var ticket = $"t{Interlocked.Increment(ref _ticketNumber)}-{Guid.NewGuid():N}";
        if (Interlocked.Decrement(ref MalformedConnectionAnswers) >= 0) return Results.Json(new { ok = true, url = 42 });
        Interlocked.Exchange(ref MalformedConnectionAnswers, 0);
        _tickets[ticket] = 0;
        return Results.Json(new { ok = true, url = new Uri(SocketBase, $"link/?ticket={ticket}&app_id=AFAKE").ToString() });
    }

    private async Task<IResult> WebApi(HttpContext http, string method)
    {
        var body = await ReadJsonAsync(http.Request);
        _calls.Enqueue(new ApiCall($"/api/{method}", http.Request.Headers.Authorization.ToString(), body, DateTimeOffset.UtcNow));
        if (method == "usergroups.users.list" && UserGroupsStatus != 200) return Results.StatusCode(UserGroupsStatus);
        if (method == "chat.getPermalink" && PermalinkStatus != 200) return Results.StatusCode(PermalinkStatus);
        return method switch
        {
            "usergroups.users.list" => Results.Json(new { ok = true, users = UserGroups.GetValueOrDefault(http.Request.Query["usergroup"].ToString()) ?? [] }),
            "chat.update" or "chat.postMessage" => Results.Json(new { ok = true, ts = "1.000001" }),
            "chat.getPermalink" => Results.Json(new { ok = true, channel = http.Request.Query["channel"].ToString(), permalink = PermalinkOf(http.Request.Query["channel"].ToString(), http.Request.Query["message_ts"].ToString()).ToString() }),
            _ => Results.Json(new { ok = false, error = "unknown_method" }),
        };
    }

    private async Task<IResult> Response(HttpContext http, string id)
    {
        _calls.Enqueue(new ApiCall($"/response/{id}", null, await ReadJsonAsync(http.Request), DateTimeOffset.UtcNow));
        return Results.Text("ok");
    }

    private async Task LinkAsync(HttpContext http)
    {
        var ticket = http.Request.Query["ticket"].ToString();
        if (!http.WebSockets.IsWebSocketRequest || !_tickets.TryRemove(ticket, out _))
        {
            Interlocked.Increment(ref RefusedTickets);
            http.Response.StatusCode = 401;
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket);
        lock (_gate) _connections.Add(connection);
        await connection.SendAsync(new JsonObject
        {
            ["type"] = "hello",
            ["num_connections"] = 1,
            ["connection_info"] = new JsonObject { ["app_id"] = "AFAKE" },
            ["debug_info"] = new JsonObject { ["host"] = "fake", ["approximate_connection_time"] = 3600 },
        });
        connection.Greeted = true;
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
                if (JsonNode.Parse(message.ToArray()) is JsonObject ack && ack["envelope_id"]?.GetValue<string>() is { } id)
                {
                    var latency = DateTimeOffset.UtcNow - _sentAt.GetValueOrDefault(id, DateTimeOffset.UtcNow);
                    _acks[id] = new AckRecord(id, ack["payload"] as JsonObject, latency);
                }
            }
        }
        catch (WebSocketException) { }
    }

    private static async Task<JsonObject?> ReadJsonAsync(HttpRequest request)
    {
        var text = await new StreamReader(request.Body).ReadToEndAsync();
        try { return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject; }
        catch (System.Text.Json.JsonException) { return new JsonObject { ["raw"] = text }; }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) foreach (var c in _connections) c.Socket.Abort();
        _proxy.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Connection(WebSocket socket)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        public WebSocket Socket { get; } = socket;
        public volatile bool Greeted;

        public async Task SendAsync(JsonObject frame)
        {
            await _send.WaitAsync();
            try { await Socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None); }
            finally { _send.Release(); }
        }
    }

    /// <summary>
    /// The Socket Mode port as the bot sees it: forwards each TCP connection to the fake's WebSocket listener,
    /// until a test silences it — then bytes are swallowed both ways while both sockets stay open (a dead link
    /// that never closes: what ping/pong must find).
    /// </summary>
    private sealed class SilenceableProxy : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly List<Link> _links = [];
        private readonly CancellationTokenSource _stop = new();

        public SilenceableProxy(int target)
        {
            _target = target;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync();
        }

        public int Port { get; }

        public void SilenceLatest()
        {
            lock (_links) _links[^1].Silent = true;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
                var upstream = new TcpClient();
                try { await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token); }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                    client.Dispose();
                    upstream.Dispose();
                    continue;
                }
                var link = new Link(client, upstream);
                lock (_links) _links.Add(link);
                _ = link.RunAsync(_stop.Token);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_links) foreach (var link in _links) link.Dispose();
        }

        private sealed class Link(TcpClient client, TcpClient upstream) : IDisposable
        {
            public volatile bool Silent;

            public async Task RunAsync(CancellationToken stop)
            {
                await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream(), stop), PumpAsync(upstream.GetStream(), client.GetStream(), stop));
                Dispose();
            }

            private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken stop)
            {
                var buffer = new byte[16 * 1024];
                try
                {
                    int read;
                    while ((read = await from.ReadAsync(buffer, stop)) > 0)
                        if (!Silent) await to.WriteAsync(buffer.AsMemory(0, read), stop);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
            }

            public void Dispose()
            {
                client.Dispose();
                upstream.Dispose();
            }
        }
    }
}
