using System.Globalization;
using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: Training <folder>. One short DI-MML fit on two separable synthetic modalities with the CPU bundle alone: proves the
// packages restore, load TorchSharp (GLIBCXX fix from buildTransitive), train and score through ONNX. Leaves in <folder> what
// the serving consumer checks: model.zip, the batched model.onnx, the rows (data.idv) and their scores (scores.tsv).
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Training <folder>");
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
var scored = model.Transform(data);
var accuracy = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
Console.WriteLine($"training consumer: trained, training accuracy {accuracy:P1}");

ml.Model.Save(model, data.Schema, Path.Combine(folder, "model.zip"));
using (var onnx = File.Create(Path.Combine(folder, "model.onnx")))
{
    model.LastTransformer.ExportOnnx(onnx);
}

using (var idv = File.Create(Path.Combine(folder, "data.idv")))
{
    ml.Data.SaveAsBinary(data, idv);
}

File.WriteAllLines(Path.Combine(folder, "scores.tsv"), scored.GetColumn<float[]>("Score")
    .Select(s => string.Join(" ", s.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
return accuracy > 0.9 ? 0 : 1;

public sealed class Row
{
    public string Label { get; set; } = "";

    [VectorType(4)]
    public float[] A { get; set; } = [];

    [VectorType(4)]
    public float[] B { get; set; } = [];
}
