using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DiMml.MLNet.Tests;

/// <summary>
/// Every trainer's Score, Score.{modality} and PredictedLabel follow the Label's key order, for text labels whose key order
/// is not the order the rows arrive in, in the pipeline shape of the audio example (label keys and features fitted first, the
/// featurised view cached, trainers fitted on the cache, scored on a view that was not).
/// </summary>
[TestClass]
public sealed class LabelKeyOrderTests
{
    private static readonly string[] Names = ["zebra", "apple", "mango", "kiwi"];   // arrival order; keys are sorted by value

    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] A { get; set; } = [];

        [VectorType(4)]
        public float[] B { get; set; } = [];
    }

    private static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        float[] View(int c) => Enumerable.Range(0, 4).Select(i => (i == c ? 3f : 0f) + (float)random.NextDouble()).ToArray();
        return Enumerable.Range(0, count).Select(i => new Row { Label = Names[i % 4], A = View(i % 4), B = View(i % 4) }).ToArray();
    }

    private static readonly ModalityOptions A = new() { Name = "a", ColumnName = "A", HiddenSizes = [16] };
    private static readonly ModalityOptions B = new() { Name = "b", ColumnName = "B", HiddenSizes = [16] };

    private static T Small<T>(T options, params ModalityOptions[] modalities) where T : TrainerOptions
    {
        (options.Epochs, options.BatchSize, options.LearningRate, options.EmbeddingSize, options.Seed) = (6, 32, 0.05, 16, 0);
        foreach (var modality in modalities)
        {
            options.Modalities.Add(modality);
        }

        return options;
    }

    public static IEnumerable<object[]> Trainers() =>
    [
        ["unimodal", new[] { "a" }],
        ["joint", Array.Empty<string>()],   // joint training has one head: no Score.{modality} columns
        ["dimml", new[] { "a", "b" }],
    ];

    private static IEstimator<ITransformer> Trainer(MLContext ml, string kind) => kind switch
    {
        "unimodal" => ml.MulticlassClassification.Trainers.Unimodal(Small(new UnimodalTrainer.Options(), A)),
        "joint" => ml.MulticlassClassification.Trainers.JointMultimodal(
            Small(new JointMultimodalTrainer.Options { ProbeEpochs = 0 }, A, B)),
        _ => ml.MulticlassClassification.Trainers.DiMml(Small(new DiMmlTrainer.Options { FusionEpochs = 2 }, A, B)),
    };

    [TestMethod]
    [DynamicData(nameof(Trainers))]
    public void ScoresAndPredictedLabelsFollowTheLabelKeys(string kind, string[] modalities)
    {
        var ml = new MLContext(seed: 0);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(Rows(400, seed: 1)));
        var train = ml.Data.Cache(keys.Transform(ml.Data.LoadFromEnumerable(Rows(400, seed: 1))));
        var model = Trainer(ml, kind).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel")).Fit(train);
        var testRows = Rows(80, seed: 2);
        var scored = model.Transform(keys.Transform(ml.Data.LoadFromEnumerable(testRows)));

        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        var keyNames = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        CollectionAssert.AreEqual(Names.Order(StringComparer.Ordinal).ToArray(), keyNames,
            "PredictedLabel's key values are the Label's, in the Label's key order");
        var labels = scored.GetColumn<uint>("Label").ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var top = scored.GetColumn<float[]>(DiMmlColumns.Score).Select(ArgMaxKey).ToArray();
        CollectionAssert.AreEqual(top, predicted, "PredictedLabel is the key of Score's largest slot");
        Assert.IsGreaterThanOrEqualTo(0.9, Agreement(labels, predicted), $"{kind}: PredictedLabel against Label");
        var names = scored.GetColumn<ReadOnlyMemory<char>>("PredictedName").Select(n => n.ToString()).ToArray();
        Assert.IsGreaterThanOrEqualTo(0.9, names.Where((n, i) => n == testRows[i].Label).Count() / (double)names.Length,
            $"{kind}: PredictedLabel mapped back to text against the row's own label");
        foreach (var modality in modalities)
        {
            var own = scored.GetColumn<float[]>(DiMmlColumns.ModalityScore(modality)).Select(ArgMaxKey).ToArray();
            Assert.IsGreaterThanOrEqualTo(0.8, Agreement(labels, own), $"{kind}: Score.{modality}'s slots in the Label's key order");
        }
    }

    private static uint ArgMaxKey(float[] scores) => (uint)Array.IndexOf(scores, scores.Max()) + 1;

    private static double Agreement(uint[] labels, uint[] keys) => labels.Where((l, i) => l == keys[i]).Count() / (double)labels.Length;
}
