using System.Globalization;
using RabbitMQ.Client;

namespace OpsBot.ServiceDefaults;

/// <summary>One broker node of <c>RABBITMQ_URL</c>.</summary>
public sealed record RabbitMqNode(string Host, ushort Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// The parts of <c>RABBITMQ_URL</c>: <c>amqp[s]://user:password@host:port/vhost</c>, or for a cluster several nodes
/// separated by commas, <c>amqp://user:password@h1:5672,h2:5672,h3:5672/vhost</c> (same credentials, virtual host and
/// TLS on every node). <see cref="Host"/> and <see cref="Port"/> are the first node; the client connects to the first
/// node that answers and moves to another when its node goes away.
/// </summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    private const string Form = "amqp://user:password@host:5672/vhost (a cluster: amqp://user:password@h1:5672,h2:5672/vhost)";

    /// <summary>Every node, the first one first. One entry unless the URL names a cluster.</summary>
    public IReadOnlyList<RabbitMqNode> Nodes { get; init; } = [new(Host, Port)];

    public bool IsCluster => Nodes.Count > 1;

    public static RabbitMqAddress Parse(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? url[..schemeEnd].ToLowerInvariant() : "";
        if (scheme != "amqp" && scheme != "amqps")
            throw new SettingsException($"{SettingNames.RabbitMqUrl} must look like {Form}.");
        var tls = scheme == "amqps";
        var rest = url[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[(slash + 1)..] : "";
        var at = authority.LastIndexOf('@');
        var userInfo = at >= 0 ? authority[..at] : "";
        var hosts = at >= 0 ? authority[(at + 1)..] : authority;

        var user = "guest";
        var password = "guest";
        if (userInfo.Length > 0)
        {
            var parts = userInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        var query = path.IndexOfAny(['?', '#']);
        if (query >= 0) path = path[..query];
        var vhost = Uri.UnescapeDataString(path);

        var defaultPort = (ushort)(tls ? 5671 : 5672);
        var nodes = hosts.Split(',', StringSplitOptions.TrimEntries)
            .Select(h => ParseNode(h, defaultPort))
            .ToList();
        if (nodes.Count == 0) throw new SettingsException($"{SettingNames.RabbitMqUrl} names no host; it must look like {Form}.");
        return new RabbitMqAddress(nodes[0].Host, nodes[0].Port, vhost.Length == 0 ? "/" : vhost, user, password, tls) { Nodes = nodes };
    }

    private static RabbitMqNode ParseNode(string text, ushort defaultPort)
    {
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0) throw new SettingsException($"{SettingNames.RabbitMqUrl} has a malformed IPv6 host; it must look like {Form}.");
            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':') throw new SettingsException($"{SettingNames.RabbitMqUrl} has a malformed host; it must look like {Form}.");
                port = text[(close + 2)..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon >= 0 ? text[..colon] : text;
            port = colon >= 0 ? text[(colon + 1)..] : null;
        }
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or '?' or '#'))
            throw new SettingsException($"{SettingNames.RabbitMqUrl} has an empty or malformed host; it must look like {Form}.");
        if (port is null || port.Length == 0) return new RabbitMqNode(host, defaultPort);
        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number == 0)
            throw new SettingsException($"{SettingNames.RabbitMqUrl} has a port that is not a number from 1 to 65535; it must look like {Form}.");
        return new RabbitMqNode(host, number);
    }

    /// <summary>
    /// A RabbitMQ.Client connection to the first node that answers (for short-lived topology work beside MassTransit).
    /// </summary>
    public Task<IConnection> ConnectAsync(string clientName, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory
        {
            VirtualHost = VirtualHost,
            UserName = Username,
            Password = Password,
            ClientProvidedName = clientName,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        var endpoints = Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port, UseTls ? new SslOption { Enabled = true, ServerName = n.Host } : new SslOption())).ToList();
        return factory.CreateConnectionAsync(endpoints, cancellationToken);
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{(UseTls ? "amqps" : "amqp")}://{Username}@{string.Join(',', Nodes)}/{VirtualHost}";
}
