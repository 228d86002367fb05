// calibrate_vol: see `scripts/calibrate_vol --help` and docs/risk.md. All logic is in OpsBot.Risk.CalibrateCommand.
return OpsBot.Risk.CalibrateCommand.Run(args, Console.Out, Console.Error);
