using DiMml.Cli;

return CommandLine.Build(Comparison.Run, SingleMethod.Train, SingleMethod.Predict).Parse(args).Invoke();
