using OpsBot.Bot.Slack;
using OpsBot.Slack;

namespace OpsBot.Bot.Commands;

/// <summary>
/// Who may run <c>killswitch</c> and <c>silence</c>: the user ids in <c>OPS_ADMINS</c>, or members of the
/// user groups (<c>S…</c>) listed there (read with <c>usergroups.users.list</c>, kept for five minutes).
/// Fails closed: when Slack cannot say who is in a group, its members are refused — an expired membership
/// is never used in place of an answer.
/// </summary>
public sealed class OpsAuthorizer(BotOptions options, SlackWebApi slack, TimeProvider time, ILogger<OpsAuthorizer> logger)
{
    public static readonly TimeSpan GroupCacheTtl = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, (DateTimeOffset At, HashSet<string> Members)> _groups = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<bool> IsAdminAsync(string userId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userId)) return false;
        if (options.Admins.Contains(userId)) return true;
        foreach (var group in options.Admins.Where(a => a.StartsWith('S')))
            if ((await MembersAsync(group, cancellationToken)).Contains(userId)) return true;
        return false;
    }

    private async Task<HashSet<string>> MembersAsync(string group, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_groups.TryGetValue(group, out var cached) && now - cached.At < GroupCacheTtl) return cached.Members;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                var members = (await slack.UserGroupMembersAsync(group, timeout.Token)).ToHashSet(StringComparer.Ordinal);
                _groups[group] = (now, members);
                return members;
            }
            catch (Exception e) when (e is SlackApiException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Cannot read the members of user group {Group} ({Error}); its members are refused until Slack answers", group, e.Message);
                return [];
            }
        }
        finally { _gate.Release(); }
    }
}
