using System.Text.Json.Serialization;

namespace OpsBot.Contracts;

/// <summary>Where an alert is delivered.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryChannel>))]
public enum DeliveryChannel
{
    [JsonStringEnumMemberName("slack")] Slack,
    [JsonStringEnumMemberName("teams")] Teams,
}
