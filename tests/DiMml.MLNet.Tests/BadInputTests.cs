using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class BadInputTests
{
    private static readonly MLContext Ml = new(seed: 0);

    private static IDataView Keyed(TwoViewRow[] rows)
    {
        var data = Ml.Data.LoadFromEnumerable(rows);
        return Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
    }

    private static void ExpectError(Action action, string column, string fix)
    {
        var error = Assert.Throws<ArgumentException>(action);
        StringAssert.Contains(error.Message, column);
        StringAssert.Contains(error.Message, fix);
    }

    [TestMethod]
    public void MissingModalityColumnIsNamedWithTheAvailableOnes()
    {
        var options = TwoViewRows.SmallOptions();
        options.Modalities[1].ColumnName = "Rear";
        ExpectError(() =>
            Ml.MulticlassClassification.Trainers.DiMml(options).Fit(Keyed(TwoViewRows.Make(30, 1))), "'Rear'", "Available columns");
    }

    [TestMethod]
    public void LabelThatIsNotAKeyAsksForMapValueToKey() =>
        ExpectError(() =>
            Ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions()).Fit(Ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, 1))),
            "Label", "MapValueToKey");

    [TestMethod]
    public void LabelThatIsNotAKeyFailsBeforeFitToo() =>
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions())
            .GetOutputSchema(TwoViewRows.ShapeOf(Ml.Data.LoadFromEnumerable(TwoViewRows.Make(3, 1)).Schema)), "Label", "MapValueToKey");

    [TestMethod]
    public void ModalityThatIsNotAFloatVectorSaysHowToConvert()
    {
        var options = TwoViewRows.SmallOptions();
        options.LabelColumnName = "Key";
        options.Modalities[1].ColumnName = "Label";
        var data = Ml.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(Ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, 1)))
            .Transform(Ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, 1)));
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(options).Fit(data), "'Label'", "Concatenate");
    }

    [TestMethod]
    public void NonFiniteFeaturesFailWithTheColumnAndCount()
    {
        var rows = TwoViewRows.Make(30, 1);
        rows[4].Bottom[2] = float.PositiveInfinity;
        rows[9].Bottom[0] = float.NaN;
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions()).Fit(Keyed(rows)), "'Bottom'", "2 of 30");
    }

    [TestMethod]
    public void NonFiniteRowsAreDroppedWhenAsked()
    {
        var rows = TwoViewRows.Make(60, 1);
        rows[4].Top[2] = float.NaN;
        var options = TwoViewRows.SmallOptions(epochs: 1);
        options.DropRowsWithNonFiniteFeatures = true;
        using var model = Ml.MulticlassClassification.Trainers.DiMml(options).Fit(Keyed(rows));
        Assert.AreEqual(59, model.Diagnostics.TrainingRows);
        Assert.AreEqual(1, model.Diagnostics.SkippedRows);
    }

    [TestMethod]
    public void OneModalityIsRejected()
    {
        var options = TwoViewRows.SmallOptions();
        options.Modalities.RemoveAt(1);
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(options), "Modalities", "at least 2");
    }

    [TestMethod]
    public void DuplicateModalityNamesAreRejected()
    {
        var options = TwoViewRows.SmallOptions();
        options.Modalities[1].Name = "top";
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(options), "'top'", "unique");
    }

    [TestMethod]
    public void FilmWithThreeModalitiesIsRejected()
    {
        var options = TwoViewRows.SmallOptions();
        options.Modalities.Add(new ModalityOptions { Name = "third", ColumnName = "Third" });
        options.FusionHead = FusionHeadKind.Film;
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(options), "FusionHead", "exactly 2 modalities");
    }

    [TestMethod]
    [DataRow("Epochs", 0)]
    [DataRow("BatchSize", 0)]
    [DataRow("DucStartEpoch", 6)]
    public void AbsurdNumbersAreRejectedAtConstruction(string option, int value)
    {
        var options = TwoViewRows.SmallOptions(epochs: 6);
        typeof(DiMmlTrainer.Options).GetProperty(option)!.SetValue(options, value);
        ExpectError(() => Ml.MulticlassClassification.Trainers.DiMml(options), option, "must");
    }

    [TestMethod]
    public void ValidationSetIsScoredButNotTrainedOn()
    {
        var options = TwoViewRows.SmallOptions(epochs: 4);
        options.ValidationSet = Keyed(TwoViewRows.Make(90, seed: 12, sample: 1));
        using var model = Ml.MulticlassClassification.Trainers.DiMml(options).Fit(Keyed(TwoViewRows.Make(150, seed: 12)));
        var validation = model.Diagnostics.ValidationAccuracy!;
        CollectionAssert.AreEquivalent(new[] { "top", "bottom", "fusion", "fused" }, validation.Keys.ToArray());
        Assert.AreEqual(150, model.Diagnostics.TrainingRows);
        Assert.IsGreaterThan(0.9, validation["fused"]);
    }

    [TestMethod]
    public void SameSeedGivesTheSameScores()
    {
        var data = Keyed(TwoViewRows.Make(120, seed: 13));
        float[][] Scores()
        {
            using var model = Ml.MulticlassClassification.Trainers.DiMml("Label", ["Top", "Bottom"], epochs: 2, batchSize: 32,
                learningRate: 0.05, seed: 3).Fit(data);
            return model.Transform(data).GetColumn<float[]>("Score").ToArray();
        }

        var first = Scores();
        var second = Scores();
        for (var i = 0; i < first.Length; i++)
        {
            CollectionAssert.AreEqual(first[i], second[i]);
        }
    }
}
