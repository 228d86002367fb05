using System.Reflection;
using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.ContractCatalog;

/// <summary>One published contract: its type, its wire name (URN and exchange) and its version.</summary>
public sealed record ContractInfo(Type Type, string Name, string Urn, string Exchange)
{
    /// <summary>File name of its schema under docs/contracts/.</summary>
    public string SchemaFile => $"{Name}.schema.json";

    /// <summary>Every message type in OpsBot.Contracts that has a stable wire name, ordered by name.</summary>
    public static IReadOnlyList<ContractInfo> All { get; } = typeof(IOpsBotMessage).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOpsBotMessage).IsAssignableFrom(t))
        .Select(From)
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();

    public static ContractInfo From(Type type)
    {
        var urn = type.GetCustomAttribute<MessageUrnAttribute>(inherit: false)
                  ?? throw new InvalidOperationException($"{type.Name} has no [MessageUrn]: its wire name would depend on its C# namespace.");
        var entity = type.GetCustomAttribute<EntityNameAttribute>(inherit: false)
                     ?? throw new InvalidOperationException($"{type.Name} has no [EntityName]: its exchange name would depend on its C# namespace.");
        var name = urn.Urn.ToString()["urn:message:".Length..];
        return new ContractInfo(type, name, urn.Urn.ToString(), entity.EntityName);
    }
}
