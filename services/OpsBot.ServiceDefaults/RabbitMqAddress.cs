namespace OpsBot.ServiceDefaults;

/// <summary>The parts of <c>RABBITMQ_URL</c> (<c>amqp[s]://user:password@host:port/vhost</c>).</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    public static RabbitMqAddress Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            throw new SettingsException($"{SettingNames.RabbitMqUrl} must look like amqp://user:password@host:5672/vhost.");
        var tls = uri.Scheme == "amqps";
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 5671 : 5672) : uri.Port;
        var user = "guest";
        var password = "guest";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqAddress(uri.Host, (ushort)port, vhost.Length == 0 ? "/" : vhost, user, password, tls);
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{(UseTls ? "amqps" : "amqp")}://{Username}@{Host}:{Port}/{VirtualHost}";
}
