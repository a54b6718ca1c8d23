using DiMml.Examples;
using TorchSharp;

var examples = new Dictionary<string, Func<ExampleArguments, int>>
{
    ["quickstart"] = Quickstart.Run,
    ["core"] = CoreComparison.Run,
    ["images"] = ImagesExample.Run,
    ["streaming"] = StreamingExample.Run,
    ["export-csv"] = CsvExport.Run,
    ["audio"] = AudioVisualExample.Run,
    ["video"] = VideoExample.Run,
    ["soak"] = SoakExample.Run,
    ["serve"] = ServeExample.Run,
};

// This process is the example: libtorch's process-wide thread count is its to set.
return ExampleArguments.Commands(examples.ToDictionary(e => e.Key, e => (Func<ExampleArguments, int>)(a =>
{
    torch.set_num_threads(a.Threads);
    return e.Value(a);
}))).Parse(args).Invoke();
