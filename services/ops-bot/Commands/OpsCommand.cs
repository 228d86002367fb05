namespace OpsBot.Bot.Commands;

/// <summary>A parsed <c>/ops</c> command. <see cref="Text"/> is what the operator typed, for the audit trail.</summary>
public abstract record OpsCommand(string Text)
{
    /// <summary>Whether only <c>OPS_ADMINS</c> may run it.</summary>
    public virtual bool NeedsAdmin => false;

    /// <summary>The first word, as used in metrics and logs.</summary>
    public abstract string Name { get; }
}

public sealed record HelpCommand(string Text) : OpsCommand(Text) { public override string Name => "help"; }

public sealed record StatusCommand(string Text) : OpsCommand(Text) { public override string Name => "status"; }

public sealed record PnlCommand(string Text, string? Strategy) : OpsCommand(Text) { public override string Name => "pnl"; }

public sealed record RiskCommand(string Text, string? Symbol) : OpsCommand(Text) { public override string Name => "risk"; }

public sealed record AlertsCommand(string Text) : OpsCommand(Text) { public override string Name => "alerts"; }

/// <summary><c>/ops ack KEY</c>: take the open incident of <see cref="DedupKey"/> (anyone, like the Acknowledge button).</summary>
public sealed record AckCommand(string Text, string DedupKey) : OpsCommand(Text) { public override string Name => "ack"; }

/// <summary><c>/ops resolve KEY [reason]</c>: resolve the open incident of <see cref="DedupKey"/> by hand (admins).</summary>
public sealed record ResolveCommand(string Text, string DedupKey, string? Reason) : OpsCommand(Text)
{
    public override string Name => "resolve";
    public override bool NeedsAdmin => true;
}

public sealed record ParityCommand(string Text) : OpsCommand(Text) { public override string Name => "parity"; }

public sealed record SilenceCommand(string Text, string Matcher, TimeSpan Duration) : OpsCommand(Text)
{
    public override string Name => "silence";
    public override bool NeedsAdmin => true;
}

public sealed record UnsilenceCommand(string Text, string Matcher) : OpsCommand(Text)
{
    public override string Name => "unsilence";
    public override bool NeedsAdmin => true;
}

public sealed record KillSwitchCommand(string Text, bool Engage, string Scope) : OpsCommand(Text)
{
    public override string Name => "killswitch";
    public override bool NeedsAdmin => true;
}

/// <summary>Unknown command or bad argument: answered with <see cref="Problem"/> and the usage line.</summary>
public sealed record InvalidCommand(string Text, string Problem, string Usage) : OpsCommand(Text) { public override string Name => "invalid"; }
