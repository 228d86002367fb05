using System.Text.Json.Serialization;

namespace OpsBot.Contracts;

/// <summary>How urgent an alert is. On the wire as the lower-case name ("info", "warning", "critical").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("critical")] Critical,
}
