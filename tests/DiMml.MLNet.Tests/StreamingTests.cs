using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class StreamingTests
{
    private static (float[][] Scores, DiMmlDiagnostics Diagnostics) TrainAndScore(long? budget, TwoViewRow[] rows,
        InferenceFusion inference = InferenceFusion.CertaintyWeighting)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var options = TwoViewRows.SmallOptions(epochs: 4);
        options.BatchSize = 16;
        options.MemoryBudgetBytes = budget;
        options.Inference = inference;
        options.DropRowsWithNonFiniteFeatures = true;
        options.Modalities[0].Augmentation = Augmentation.PadCrop(1);        // augmentation draws must line up in both modes too
        options.Modalities[0].Shape = new(1, 1, 2, 4);
        using var model = ml.MulticlassClassification.Trainers.DiMml(options).Fit(keyed);
        return (model.Transform(keyed).GetColumn<float[]>("Score").ToArray(), model.Diagnostics);
    }

    [TestMethod]
    [DataRow(InferenceFusion.CertaintyWeighting)]
    [DataRow(InferenceFusion.Selected)]
    public void StreamingAndInMemoryTrainTheSameModel(InferenceFusion inference)
    {
        var rows = TwoViewRows.Make(203, seed: 30);
        rows[17].Top[3] = float.NaN;                    // dropped in both modes: row numbering must still agree
        var (inMemory, memoryDiagnostics) = TrainAndScore(null, rows, inference);
        // 64 bytes per row; a 4 KB budget streams windows of 16 rows: 13 windows, a cursor restart for most of them.
        // Selected fusion holds a stratified tenth out of a streamed source the same way as out of one in memory.
        var (streamed, streamDiagnostics) = TrainAndScore(4096, rows, inference);

        Assert.IsFalse(memoryDiagnostics.Streamed);
        Assert.IsTrue(streamDiagnostics.Streamed);
        Assert.AreEqual(202, streamDiagnostics.TrainingRows);
        Assert.AreEqual(1, streamDiagnostics.SkippedRows);
        Assert.AreEqual(memoryDiagnostics.FusionChoice, streamDiagnostics.FusionChoice);
        for (var i = 0; i < inMemory.Length; i++)
        {
            CollectionAssert.AreEqual(inMemory[i], streamed[i], $"row {i}");
        }
    }

    [TestMethod]
    public void StreamingRecordsTheTimeSpentWaitingForData()
    {
        var (_, diagnostics) = TrainAndScore(4096, TwoViewRows.Make(120, seed: 31));
        Assert.IsTrue(diagnostics.Streamed);
        Assert.IsGreaterThan(TimeSpan.Zero, diagnostics.DataWaitTime);
        Assert.IsLessThan(1.0, diagnostics.DataWaitShare);
    }
}
