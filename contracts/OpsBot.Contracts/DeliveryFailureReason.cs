using System.Text.Json.Serialization;

namespace OpsBot.Contracts;

/// <summary>Why a delivery finally failed: a closed set, used as a metric label.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryFailureReason>))]
public enum DeliveryFailureReason
{
    [JsonStringEnumMemberName("rate-limited")] RateLimited,
    [JsonStringEnumMemberName("auth")] Auth,
    [JsonStringEnumMemberName("client-error")] ClientError,
    [JsonStringEnumMemberName("server-error")] ServerError,
    [JsonStringEnumMemberName("timeout")] Timeout,
}
