using OpsBot.ContractCatalog;

// scripts/contracts: `--write DIR` regenerates the catalogue; `--check DIR` fails on breaking changes or a stale catalogue.
if (args is not [("--write" or "--check") and var mode, var directory])
{
    Console.Error.WriteLine("usage: contracts --write DIR | --check DIR");
    return 2;
}
if (mode == "--write")
{
    var (breaking, _) = ContractCatalog.Check(directory);
    foreach (var problem in breaking) Console.Error.WriteLine($"breaking change: {problem}");
    ContractCatalog.Write(directory);
    Console.WriteLine($"wrote {ContractInfo.All.Count} schemas and {ContractCatalog.AsyncApiFile} to {directory}");
    return breaking.Count == 0 ? 0 : 1;
}
var (breaks, stale) = ContractCatalog.Check(directory);
foreach (var problem in breaks) Console.Error.WriteLine($"breaking change: {problem}");
foreach (var problem in stale) Console.Error.WriteLine($"out of date: {problem} (run scripts/contracts --write)");
if (breaks.Count == 0 && stale.Count == 0) Console.WriteLine($"{ContractInfo.All.Count} contracts: catalogue up to date, no breaking change");
return breaks.Count > 0 ? 1 : stale.Count > 0 ? 3 : 0;
