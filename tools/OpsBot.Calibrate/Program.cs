// calibrate_vol: see `scripts/calibrate_vol --help` and docs/risk.md. The command line is CalibrateCommand; the
// calibration itself is in the OpsBot.Risk library.
return OpsBot.Calibrate.CalibrateCommand.Run(args, Console.Out, Console.Error);
