using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/OpsBot.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(OpsBot.Benchmarks.VolatilityUpdateBenchmarks).Assembly).Run(args);
