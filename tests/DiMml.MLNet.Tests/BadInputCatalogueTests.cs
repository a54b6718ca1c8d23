using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>
/// Every kind of bad input a user can hand the trainer, each rejected before training with a message that names
/// the column or option and says how to fix it.
/// </summary>
[TestClass]
public sealed class BadInputCatalogueTests
{
    private static readonly MLContext Ml = new(seed: 0);

    public sealed class TextTopRow
    {
        public string Label { get; set; } = "";

        public string Top { get; set; } = "";

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];
    }

    public sealed class ScalarTopRow
    {
        public string Label { get; set; } = "";

        public float Top { get; set; }

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];
    }

    public sealed class DoubleTopRow
    {
        public string Label { get; set; } = "";

        [VectorType(TwoViewRow.Size)]
        public double[] Top { get; set; } = [];

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];
    }

    public sealed class VariableTopRow
    {
        public string Label { get; set; } = "";

        public float[] Top { get; set; } = [];

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];
    }

    private static IDataView Keyed<T>(IEnumerable<T> rows) where T : class
    {
        var data = Ml.Data.LoadFromEnumerable(rows);
        return Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static IDataView Good(int rows = 30) => Keyed(TwoViewRows.Make(rows, seed: 90));

    // Keys from real rows, applied to no rows: a valid schema with nothing in it.
    private static IDataView Empty() => Ml.Transforms.Conversion.MapValueToKey("Label")
        .Fit(Ml.Data.LoadFromEnumerable(TwoViewRows.Make(9, seed: 96)))
        .Transform(Ml.Data.LoadFromEnumerable(Array.Empty<TwoViewRow>()));

    private static TwoViewRow[] WithValue(float value)
    {
        var rows = TwoViewRows.Make(30, seed: 91);
        rows[5].Top[1] = value;
        return rows;
    }

    private static Action WithExistingFile(Action<string> act) => () =>
    {
        var file = Path.GetTempFileName();
        try
        {
            act(file);
        }
        finally
        {
            File.Delete(file);
        }
    };

    private static void Fit(Action<DiMmlTrainer.Options> spoil, IDataView? data = null)
    {
        var options = TwoViewRows.SmallOptions(epochs: 2);
        spoil(options);
        using var model = Ml.MulticlassClassification.Trainers.DiMml(options).Fit(data ?? Good());
    }

    public static IEnumerable<object[]> Cases()
    {
        object[] Case(string name, Action act, params string[] expected) => [name, act, expected];

        yield return Case("missing modality column", () => Fit(o => o.Modalities[0].ColumnName = "Front"), "'Front'", "Available columns");
        yield return Case("missing label column", () => Fit(o => o.LabelColumnName = "Class"), "'Class'", "Available columns");
        yield return Case("label not a key", () =>
            Fit(_ => { }, Ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, seed: 92))), "'Label'", "MapValueToKey");
        yield return Case("modality is text", () =>
            Fit(_ => { }, Keyed(TwoViewRows.Make(30, 93).Select(r => new TextTopRow { Label = r.Label, Top = "x", Bottom = r.Bottom }))),
                "'Top'", "known-size vector of Single");
        yield return Case("modality is a scalar", () =>
            Fit(_ => { }, Keyed(TwoViewRows.Make(30, 93).Select(r => new ScalarTopRow { Label = r.Label, Top = 1, Bottom = r.Bottom }))),
                "'Top'", "Concatenate");
        yield return Case("modality of doubles", () =>
            Fit(_ => { },
                Keyed(TwoViewRows.Make(30, 93)
                    .Select(r => new DoubleTopRow { Label = r.Label, Top = new double[TwoViewRow.Size], Bottom = r.Bottom }))), "'Top'",
                        "ConvertType");
        yield return Case("modality of unknown size", () =>
            Fit(_ => { },
                Keyed(TwoViewRows.Make(30, 93).Select(r => new VariableTopRow { Label = r.Label, Top = r.Top, Bottom = r.Bottom }))),
                    "'Top'", "known-size");
        yield return Case("declared shape does not match", () =>
            Fit(o => { o.Modalities[0].Encoder = EncoderKind.ResNet18; o.Modalities[0].Shape = new(1, 1, 3, 3); }), "'top'", "holds 8");
        yield return Case("ResNet without a shape", () => Fit(o => o.Modalities[0].Encoder = EncoderKind.ResNet18), "Shape", "image size");
        yield return Case("NaN features", () => Fit(_ => { }, Keyed(WithValue(float.NaN))), "'Top'", "DropRowsWithNonFiniteFeatures");
        yield return Case("infinite features", () => Fit(_ => { }, Keyed(WithValue(float.NegativeInfinity))), "'Top'", "1 of 30");
        yield return Case("one class only", () =>
            Fit(_ => { }, Keyed(TwoViewRows.Make(30, 94).Select(r => { r.Label = "cat"; return r; }))), "'Label'", "at least 2");
        yield return Case("empty data", () => Fit(_ => { }, Empty()), "training data has no rows", "loader");
        yield return Case("empty data with keys fitted on it", () => Fit(_ => { }, Keyed(Array.Empty<TwoViewRow>())), "training data has " +
            "no rows", "loader");
        yield return Case("checkpoint directory is a file", WithExistingFile(file => Fit(o => o.CheckpointDirectory = file)),
            "CheckpointDirectory", "existing file");
        yield return Case("one modality", () => Fit(o => o.Modalities.RemoveAt(1)), "Modalities", "at least 2");
        yield return Case("duplicate modality names", () => Fit(o => o.Modalities[1].Name = "top"), "'top'", "unique");
        yield return Case("duplicate modality columns", () => Fit(o => o.Modalities[1].ColumnName = "Top"), "'Top'", "own column");
        yield return Case("epochs 0", () => Fit(o => o.Epochs = 0), "Epochs", "at least 1");
        yield return Case("batch size 0", () => Fit(o => o.BatchSize = 0), "BatchSize", "at least 1");
        yield return Case("learning rate NaN", () => Fit(o => o.LearningRate = double.NaN), "LearningRate", "finite");
        yield return Case("learning rate infinite", () => Fit(o => o.LearningRate = double.PositiveInfinity), "LearningRate", "finite");
        yield return Case("negative momentum", () => Fit(o => o.Momentum = -0.1), "Momentum", ">= 0");
        yield return Case("negative weight decay", () => Fit(o => o.WeightDecay = -1), "WeightDecay", ">= 0");
        yield return Case("DUC temperature 0", () => Fit(o => o.DucTemperature = 0), "DucTemperature", "> 0");
        yield return Case("certainty temperature negative", () => Fit(o => o.CertaintyTemperature = -1), "CertaintyTemperature", "> 0");
        yield return Case("DUC start beyond the last epoch", () => Fit(o => o.DucStartEpoch = 2), "DucStartEpoch", "Epochs - 1");
        yield return Case("embedding size 0", () => Fit(o => o.EmbeddingSize = 0), "EmbeddingSize", "at least 1");
        yield return Case("ResNet embedding not a multiple of 8", () =>
            Fit(o => { o.Modalities[0].Encoder = EncoderKind.ResNet18; o.Modalities[0].Shape = new(1, 1, 2, 4); o.EmbeddingSize = 12; }),
                "EmbeddingSize", "multiple of 8");
        yield return Case("FiLM with three modalities", () =>
            Fit(o =>
            {
                o.Modalities.Add(new ModalityOptions
                {
                    Name = "third",
                    ColumnName = "Third"
                }); o.FusionHead = FusionHeadKind.Film;
            }), "FusionHead", "exactly 2 modalities");
        yield return Case("no fusion epochs with a fusion head", () => Fit(o => o.FusionEpochs = 0), "FusionEpochs", "FusionHead = None");
        yield return Case("zero threads", () => Fit(o => o.NumberOfThreads = 0), "NumberOfThreads", "at least 1");
        yield return Case("zero memory budget", () => Fit(o => o.MemoryBudgetBytes = 0), "MemoryBudgetBytes", "positive");
        yield return Case("empty label column name", () => Fit(o => o.LabelColumnName = " "), "LabelColumnName", "key-typed label");
        yield return Case("negative hidden size", () => Fit(o => o.Modalities[0].HiddenSizes = [-4]), "HiddenSizes", "positive");
        yield return Case("negative crop padding", () =>
            Fit(o => { o.Modalities[0].Shape = new(1, 1, 2, 4); o.Modalities[0].Augmentation = Augmentation.PadCrop(-1); }),
                "CropPadding", ">= 0");
        yield return Case("validation set of another shape", () =>
            Fit(o => o.ValidationSet = Keyed(TwoViewRows.Make(20, 95)
                .Select(r => new VariableTopRow { Label = r.Label, Top = r.Top, Bottom = r.Bottom }))), "'Top'", "known-size");
        yield return Case("fusion evaluation set without the label keys", () =>
            Fit(o => o.FusionEvaluationSet = Ml.Data.LoadFromEnumerable(TwoViewRows.Make(20, 97))), "FusionEvaluationSet",
                "same fitted MapValueToKey");
        yield return Case("fusion evaluation set of another shape", () =>
            Fit(o => o.FusionEvaluationSet = Keyed(TwoViewRows.Make(20, 95)
                .Select(r => new VariableTopRow { Label = r.Label, Top = r.Top, Bottom = r.Bottom }))), "FusionEvaluationSet", "'Top'");
        yield return Case("calibration fraction above one half", () =>
            Fit(o => { o.Inference = InferenceFusion.Selected; o.CalibrationFraction = 0.7; }), "CalibrationFraction", "(0, 0.5]");
        yield return Case("undefined inference fusion", () => Fit(o => o.Inference = (InferenceFusion)42), "Inference", "Selected");
        yield return Case("undefined refit policy", () => Fit(o => o.RefitOnAllRows = (RefitPolicy)7), "RefitOnAllRows",
            "WhenChoiceIsFitFree");
        yield return Case("inference from a missing fusion head", () =>
            Fit(o => { o.FusionHead = FusionHeadKind.None; o.Inference = InferenceFusion.FusionHeadOnly; }), "FusionHeadOnly",
                "fusion head");
    }

    public static string CaseName(System.Reflection.MethodInfo _, object[] data) => (string)data[0];

    [TestMethod]
    [DynamicData(nameof(Cases), DynamicDataDisplayName = nameof(CaseName))]
    public void IsRejectedWithAMessageThatNamesTheProblem(string name, Action act, string[] expected)
    {
        var error = Assert.Throws<ArgumentException>(act, name);
        foreach (var text in expected)
        {
            StringAssert.Contains(error.Message, text, $"case '{name}'");
        }
    }

    [TestMethod]
    public void CatalogueCoversAtLeastTwentyFiveCases() => Assert.IsGreaterThanOrEqualTo(25, Cases().Count());
}
