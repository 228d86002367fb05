using Microsoft.Extensions.Time.Testing;
using OpsBot.Notifier.Pipeline;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>The in-process dedup fallback, on a FakeTimeProvider: TTL, claim semantics, and the bound.</summary>
public sealed class LocalDedupCacheTests
{
    [Fact]
    public void A_key_is_held_within_the_ttl_and_free_again_after_it()
    {
        var time = new FakeTimeProvider();
        var cache = new LocalDedupCache(100, time);
        Assert.Null(cache.SetIfAbsent("k", "p:a", TimeSpan.FromSeconds(60)));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("p:a", cache.SetIfAbsent("k", "p:b", TimeSpan.FromSeconds(60)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.SetIfAbsent("k", "p:b", TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void Replace_keeps_the_expiry_and_RemoveIf_only_removes_its_own_value()
    {
        var time = new FakeTimeProvider();
        var cache = new LocalDedupCache(100, time);
        cache.SetIfAbsent("k", "p:a", TimeSpan.FromSeconds(10));
        cache.RemoveIf("k", "p:other");
        cache.Replace("k", "d:a");
        Assert.Equal("d:a", cache.SetIfAbsent("k", "p:b", TimeSpan.FromSeconds(10)));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(cache.SetIfAbsent("k", "p:b", TimeSpan.FromSeconds(10)));
        cache.RemoveIf("k", "p:b");
        Assert.Null(cache.SetIfAbsent("k", "p:c", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_cache_is_bounded_evicting_expired_then_least_recently_used_keys()
    {
        var time = new FakeTimeProvider();
        var cache = new LocalDedupCache(100, time);
        for (var i = 0; i < 1000; i++) cache.SetIfAbsent($"k{i}", "v", TimeSpan.FromMinutes(5));
        Assert.Equal(100, cache.Count);
        Assert.Equal("v", cache.SetIfAbsent("k999", "w", TimeSpan.FromMinutes(5))); // the newest survive
        Assert.Null(cache.SetIfAbsent("k0", "w", TimeSpan.FromMinutes(5)));         // the oldest went
        Assert.Equal(100, cache.Count);
    }
}
