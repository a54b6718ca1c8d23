using DiMml.Cli;

try
{
    var line = CommandLine.Parse(args);
    return line.Command switch
    {
        "compare" => Comparison.Run(line),
        "train" => SingleMethod.Train(line),
        "predict" => SingleMethod.Predict(line),
        _ => throw new CommandLineException($"Unknown command '{line.Command}'.\n\n{CommandLine.Usage}"),
    };
}
catch (CommandLineException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
