using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: NoBackend <folder>. Without native libtorch and ONNX Runtime, training and loading must fail with messages that name the
// packages to add (DiMml.MLNet.Cpu; Microsoft.ML.OnnxRuntime), not with a bare DllNotFoundException.
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: NoBackend <folder>");
var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new Row { Label = $"c{i % 2}", A = [i, 1], B = [1, i] }));
var options = new DiMmlTrainer.Options { Epochs = 1 };
options.Modalities.Add(new ModalityOptions { ColumnName = "A" });
options.Modalities.Add(new ModalityOptions { ColumnName = "B" });

static bool Names(Action action, string package)
{
    try
    {
        action();
        Console.WriteLine($"no-backend consumer: no error where {package} is missing");
        return false;
    }
    catch (InvalidOperationException e)
    {
        Console.WriteLine($"no-backend consumer: {e.Message}");
        return e.Message.Contains(package, StringComparison.Ordinal);
    }
}

var training = Names(() => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options))
    .Fit(data), "DiMml.MLNet.Cpu");
var loading = Names(() => DiMmlModelInfo.Load(ml, Path.Combine(folder, "model.zip"), out _), "Microsoft.ML.OnnxRuntime");
return training && loading ? 0 : 1;

public sealed class Row
{
    public string Label { get; set; } = "";

    [VectorType(2)]
    public float[] A { get; set; } = [];

    [VectorType(2)]
    public float[] B { get; set; } = [];
}
