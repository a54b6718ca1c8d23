using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class BulkScorerTests
{
    [TestMethod]
    public void BatchedScoresEqualRowAtATimeScoresIncludingMissingModalities()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(200, seed: 42));
        var rows = TwoViewRows.Make(150, seed: 42, sample: 1);
        rows[3].Bottom = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        rows[4].Top = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        rows[4].Bottom = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        var test = ml.Data.LoadFromEnumerable(rows);
        var model = TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions(epochs: 3)).Fit(train);
        var trained = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single();
        var expected = ml.Data.CreateEnumerable<TwoViewPrediction>(model.Transform(test), reuseRowObject: false).ToArray();

        using var scorer = trained.CreateBulkScorer();
        var actual = scorer.Score(test, batchSize: 64).ToArray();    // 150 rows: two full batches and a short one

        Assert.HasCount(expected.Length, actual);
        for (var i = 0; i < actual.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Score, actual[i].Score, new Tolerance(1e-6f), $"row {i}");
            CollectionAssert.AreEqual(expected[i].BranchWeights, actual[i].BranchWeights, new Tolerance(1e-6f), $"row {i}");
            Assert.AreEqual(i == 4 ? "" : expected[i].PredictedLabel, actual[i].PredictedLabel, $"row {i}");
        }

        var view = scorer.Transform(ml, test, batchSize: 64);
        Assert.AreEqual(3, ((VectorDataViewType)view.Schema["Score"].Type).Size);
        CollectionAssert.AreEqual(actual.Select(a => a.PredictedLabel).ToArray(), view.GetColumn<string>("PredictedLabel").ToArray());
    }

    [TestMethod]
    public void AScorerOfTheSavedModelFileScoresAsMLNetDoesAfterLoading()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(120, seed: 42));
        var rows = TwoViewRows.Make(30, seed: 42, sample: 1);
        rows[2].Top = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"dimml-bulk-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions(epochs: 2)).Fit(train), train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var expected = ml.Data.CreateEnumerable<TwoViewPrediction>(loaded.Transform(ml.Data.LoadFromEnumerable(rows)), false).ToArray();

            using var scorer = BulkScorer.FromModelFile(path);
            var actual = scorer.Score([rows.SelectMany(r => r.Top).ToArray(), rows.SelectMany(r => r.Bottom).ToArray()], rows.Length);

            CollectionAssert.AreEqual(new[] { "Top", "Bottom" }, scorer.InputColumns.ToArray());
            CollectionAssert.AreEqual(new[] { "top", "bottom" }, scorer.ModalityNames.ToArray());
            for (var i = 0; i < rows.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i].Score, actual[i].Score, new Tolerance(1e-6f), $"row {i}");
                CollectionAssert.AreEqual(expected[i].BranchWeights, actual[i].BranchWeights, new Tolerance(1e-6f), $"row {i}");
                Assert.AreEqual(expected[i].PredictedLabel, actual[i].PredictedLabel, $"row {i}");
                Assert.HasCount(2, actual[i].ModalityScores);
            }

            Assert.IsTrue(actual[2].ModalityScores[0].All(float.IsNaN), "the missing modality's own branch is NaN");
            Assert.ThrowsExactly<ArgumentException>(() => scorer.Score([new float[8]], 1));
            Assert.ThrowsExactly<InvalidDataException>(() => BulkScorer.FromModelFile(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DataWithoutTheModalityColumnsIsRejectedByName()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(60, seed: 42));
        var model = TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions(epochs: 1)).Fit(train);
        using var scorer = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single().CreateBulkScorer();
        var other = ml.Data.LoadFromEnumerable(new[] { new { Top = new float[8] } });

        var error = Assert.ThrowsExactly<ArgumentException>(() => scorer.Score(other));
        StringAssert.Contains(error.Message, "'Top'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new BulkScorer([1, 2, 3])).Message, "ExportOnnx");
    }

    private sealed class Tolerance(float epsilon) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) =>
            x is float a && y is float b && ((float.IsNaN(a) && float.IsNaN(b)) || Math.Abs(a - b) <= epsilon) ? 0 : 1;
    }
}
