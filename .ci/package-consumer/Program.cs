using DiMml.MLNet;
using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

// One short DI-MML fit on two separable synthetic modalities: proves the package restores, loads TorchSharp
// (GLIBCXX fix from buildTransitive), trains, and scores through ONNX.
var random = new Random(0);
var rows = Enumerable.Range(0, 300).Select(i =>
{
    var label = i % 3;
    float[] View() => Enumerable.Range(0, 4).Select(d => (float)(d == label ? 3 : 0) + (float)random.NextDouble()).ToArray();
    return new Row { Label = $"class{label}", A = View(), B = View() };
}).ToArray();

var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(rows);
var options = new DiMmlTrainer.Options { Epochs = 4, BatchSize = 32, LearningRate = 0.05, EmbeddingSize = 16, FusionEpochs = 2, Seed = 0 };
options.Modalities.Add(new ModalityOptions { ColumnName = "A", HiddenSizes = [16] });
options.Modalities.Add(new ModalityOptions { ColumnName = "B", HiddenSizes = [16] });
var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(data);
var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy;
Console.WriteLine($"package consumer: trained, training accuracy {accuracy:P1}");
return accuracy > 0.9 ? 0 : 1;

public sealed class Row
{
    public string Label { get; set; } = "";

    [VectorType(4)]
    public float[] A { get; set; } = [];

    [VectorType(4)]
    public float[] B { get; set; } = [];
}
