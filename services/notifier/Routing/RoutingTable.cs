using System.Text.Json;
using OpsBot.Contracts;
using OpsBot.Notifier.Silences;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Routing;

/// <summary>
/// The routing table (<c>NOTIFIER_ROUTES_FILE</c> or <c>NOTIFIER_ROUTES</c>, JSON; docs/notifier.md, "Routing and
/// inhibition"): routes are tried in order; the first that matches takes the alert and, when it says
/// <c>"continue": true</c>, the routes after it are tried as well. An alert no route takes goes to the default route:
/// <c>SLACK_ALERT_CHANNEL</c> and, when set, <c>TEAMS_WEBHOOK_URL</c>, as without a table. The table also holds the
/// inhibition rules (<see cref="InhibitRule"/>; without any named, <see cref="InhibitRule.CriticalHoldsBackWarningsOfTheStrategy"/>).
/// </summary>
public sealed class RoutingTable
{
    public RoutingTable(IReadOnlyList<AlertRoute> routes, IReadOnlyList<InhibitRule> inhibitRules)
    {
        Routes = routes;
        InhibitRules = inhibitRules;
    }

    /// <summary>No routes (everything to the default route) and the default inhibition rule.</summary>
    public static RoutingTable Default() => new([], [InhibitRule.CriticalHoldsBackWarningsOfTheStrategy]);

    public IReadOnlyList<AlertRoute> Routes { get; }
    public IReadOnlyList<InhibitRule> InhibitRules { get; }

    public AlertDestinations Route(AlertRaised alert)
    {
        var slack = new List<string>();
        var teams = false;
        var names = new List<string>();
        foreach (var route in Routes)
        {
            if (!route.Match.Matches(alert)) continue;
            names.Add(route.Name);
            if (route.SlackChannel is { } channel && !slack.Contains(channel, StringComparer.Ordinal)) slack.Add(channel);
            teams |= route.Teams;
            if (!route.Continue) break;
        }
        return names.Count > 0 ? new AlertDestinations(slack, teams, string.Join(",", names)) : AlertDestinations.DefaultRoute;
    }

    /// <summary>
    /// Reads a table from JSON. Every mistake is a <see cref="SettingsException"/> that names the setting and the place
    /// (<c>routes[2].match.severity</c>): a service that would route alerts somewhere else than the operator wrote must not start.
    /// </summary>
    public static RoutingTable Parse(string json, string setting, bool slackConfigured, bool teamsConfigured)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new SettingsException($"{setting}: not valid JSON ({e.Message})"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(setting, "", "must be a JSON object with \"routes\" and optionally \"inhibit_rules\"");
            Known(root, setting, "", "routes", "inhibit_rules");
            var routes = new List<AlertRoute>();
            if (root.TryGetProperty("routes", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array) throw Bad(setting, "routes", "must be an array");
                var i = 0;
                foreach (var element in list.EnumerateArray())
                {
                    routes.Add(ParseRoute(element, setting, $"routes[{i}]", slackConfigured, teamsConfigured));
                    i++;
                }
            }
            var rules = new List<InhibitRule>();
            if (root.TryGetProperty("inhibit_rules", out var inhibit))
            {
                if (inhibit.ValueKind != JsonValueKind.Array) throw Bad(setting, "inhibit_rules", "must be an array ([] for none)");
                var i = 0;
                foreach (var element in inhibit.EnumerateArray())
                {
                    rules.Add(ParseRule(element, setting, $"inhibit_rules[{i}]"));
                    i++;
                }
            }
            else
            {
                rules.Add(InhibitRule.CriticalHoldsBackWarningsOfTheStrategy);
            }
            return new RoutingTable(routes, rules);
        }
    }

    private static AlertRoute ParseRoute(JsonElement element, string setting, string at, bool slackConfigured, bool teamsConfigured)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Bad(setting, at, "must be an object");
        Known(element, setting, at, "name", "match", "slack_channel", "teams", "continue");
        var name = OptionalString(element, "name", setting, at) ?? at;
        var match = element.TryGetProperty("match", out var m) ? ParseMatcher(m, setting, $"{at}.match") : AlertMatcher.Any;
        var slack = OptionalString(element, "slack_channel", setting, at);
        var teams = OptionalBool(element, "teams", setting, at);
        var more = OptionalBool(element, "continue", setting, at);
        if (slack is null && !teams) throw Bad(setting, at, "sends nowhere: give \"slack_channel\" or \"teams\": true (an alert must never be routed to nothing; silence it instead)");
        if (slack is not null && !slackConfigured) throw Bad(setting, $"{at}.slack_channel", "Slack is not configured (SLACK_BOT_TOKEN and SLACK_ALERT_CHANNEL)");
        if (teams && !teamsConfigured) throw Bad(setting, $"{at}.teams", "Teams is not configured (TEAMS_WEBHOOK_URL)");
        return new AlertRoute(name, match, slack, teams, more);
    }

    private static InhibitRule ParseRule(JsonElement element, string setting, string at)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Bad(setting, at, "must be an object");
        Known(element, setting, at, "source_match", "target_match", "equal");
        if (!element.TryGetProperty("source_match", out var source)) throw Bad(setting, at, "needs \"source_match\"");
        if (!element.TryGetProperty("target_match", out var target)) throw Bad(setting, at, "needs \"target_match\"");
        if (!element.TryGetProperty("equal", out var equal) || equal.ValueKind != JsonValueKind.Array || equal.GetArrayLength() == 0)
            throw Bad(setting, $"{at}.equal", "needs a non-empty array of label names (without it one incident would hold back every alert)");
        var labels = equal.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s
            ? s : throw Bad(setting, $"{at}.equal", "holds label names (strings)")).ToList();
        return new InhibitRule(ParseMatcher(source, setting, $"{at}.source_match"), ParseMatcher(target, setting, $"{at}.target_match"), labels);
    }

    private static AlertMatcher ParseMatcher(JsonElement element, string setting, string at)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Bad(setting, at, "must be an object");
        Known(element, setting, at, "severity", "source", "labels");
        var severities = new HashSet<AlertSeverity>();
        if (element.TryGetProperty("severity", out var severity))
        {
            var names = severity.ValueKind switch
            {
                JsonValueKind.String => [severity.GetString()!],
                JsonValueKind.Array => severity.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(setting, $"{at}.severity", "holds severity names")).ToList(),
                _ => throw Bad(setting, $"{at}.severity", "must be a severity or an array of them (info, warning, critical)"),
            };
            foreach (var name in names)
            {
                if (!Enum.TryParse<AlertSeverity>(name, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(name, out _))
                    throw Bad(setting, $"{at}.severity", $"'{name}' is not a severity (info, warning, critical)");
                severities.Add(parsed);
            }
        }
        var source = OptionalString(element, "source", setting, at);
        if (source is not null && GlobMatcher.Validate(source) is { } whySource) throw Bad(setting, $"{at}.source", whySource);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("labels", out var map))
        {
            if (map.ValueKind != JsonValueKind.Object) throw Bad(setting, $"{at}.labels", "must be an object of label name → glob");
            foreach (var label in map.EnumerateObject())
            {
                if (label.Value.ValueKind != JsonValueKind.String) throw Bad(setting, $"{at}.labels.{label.Name}", "must be a string (a glob)");
                var glob = label.Value.GetString()!;
                if (GlobMatcher.Validate(glob) is { } why) throw Bad(setting, $"{at}.labels.{label.Name}", why);
                labels[label.Name] = glob;
            }
        }
        return new AlertMatcher(severities, source, labels);
    }

    private static void Known(JsonElement element, string setting, string at, params string[] names)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
                throw Bad(setting, at.Length == 0 ? property.Name : $"{at}.{property.Name}", $"unknown field (known: {string.Join(", ", names)})");
        }
    }

    private static string? OptionalString(JsonElement element, string name, string setting, string at)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } s) throw Bad(setting, $"{at}.{name}", "must be a non-empty string");
        return s;
    }

    private static bool OptionalBool(JsonElement element, string name, string setting, string at)
    {
        if (!element.TryGetProperty(name, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(setting, $"{at}.{name}", "must be true or false"),
        };
    }

    private static SettingsException Bad(string setting, string at, string why) => new($"{setting}: {(at.Length == 0 ? "" : at + ": ")}{why}");
}
