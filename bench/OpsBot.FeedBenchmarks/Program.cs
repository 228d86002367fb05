using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/OpsBot.FeedBenchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(OpsBot.FeedBenchmarks.FeedDecodeBenchmarks).Assembly).Run(args);
