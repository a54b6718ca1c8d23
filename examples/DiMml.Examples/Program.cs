using DiMml.Examples;
using TorchSharp;

try
{
    var arguments = ExampleArguments.Parse(args);
    torch.set_num_threads(arguments.Threads);
    return arguments.Command switch
    {
        "quickstart" => Quickstart.Run(arguments),
        "core" => CoreComparison.Run(arguments),
        "images" => ImagesExample.Run(arguments),
        "streaming" => StreamingExample.Run(arguments),
        "export-csv" => CsvExport.Run(arguments),
        "audio" => AudioVisualExample.Run(arguments),
        "soak" => SoakExample.Run(arguments),
        _ => throw new ArgumentException($"Unknown command '{arguments.Command}'.\n{ExampleArguments.Usage}"),
    };
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
