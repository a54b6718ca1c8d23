using DiMml.TestSupport;
using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class FusionSelectionTests
{
    // Modality 0 carries the class; modality 1 is label-free noise that an MLP memorises, so its head is confidently wrong on new rows.
    private static MultimodalDataset StrongAndNoise(int rows, int sample)
    {
        using var strong = Synthetic.Clusters(rows, 1, 8, 4, separation: 3, seed: 31, sample: sample);
        var random = new Random(1000 + sample);
        var labels = strong.Labels.data<long>().Select(y => (int)y).ToArray();
        return MultimodalDataset.FromArrays([strong.Features(0).data<float>().ToArray(), Synthetic.RandomArray(random, rows * 64)], [8, 64],
            labels, 4);
    }

    private static DiMmlOptions Options(InferenceFusion inference)
    {
        var options = Small.DiMml(2, epochs: 12, seed: 3);
        options.Inference = inference;
        options.CalibrationFraction = 0.25;
        return options;
    }

    [TestMethod]
    public void SelectedFusionDoesNotLoseToTheBestBranchWhenOneModalityIsNoise()
    {
        using var train = StrongAndNoise(800, 0);
        using var test = StrongAndNoise(600, 1);
        using var model = new DiMmlLearner(Options(InferenceFusion.Selected)).Fit(train);
        var report = model.Evaluate(test);
        var selection = model.Selection!;

        var bestBranch = report.BranchAccuracy.Where(p => p.Key != MultimodalModel.FusionBranchName).Max(p => p.Value);
        Assert.IsGreaterThanOrEqualTo(bestBranch - 0.02, report.Accuracy, $"fused {report.Accuracy:P1}, branches " +
            $"{string.Join(", ", report.BranchAccuracy)}, chose {selection.Chosen.Name}");
        Assert.IsGreaterThan(selection.BranchTemperatures[0], selection.BranchTemperatures[1], "the memorising noise branch gets the " +
            "larger temperature");
        Assert.AreEqual(200, selection.HeldOutRows);
        CollectionAssert.AreEqual(new[] { "paper-t1", "paper-t3", "branch:m0", "branch:m1", "fusion-head", "calibrated", "per-class",
            "stacked" }, selection.Candidates.Select(c => c.Name).ToArray());
        double Bar(FusionComparison c) => FusionRule.Default.Bar(selection.Candidates.Single(k => k.Name == c.Candidate));
        var steps = string.Join("; ", selection.Comparisons);
        Assert.AreEqual(2, FusionRule.Default.Bar(selection.Candidates.Single(k => k.Name == FusionSelection.StackedName)));
        Assert.AreEqual(3, FusionRule.Default.Bar(selection.Candidates.Single(k => k.Name == "branch:m0")));
        Assert.AreEqual(2, FusionRule.Default.Bar(selection.Candidates.Single(k => k.Name == FusionSelection.FusionHeadName)));
        Assert.IsTrue(selection.Comparisons.All(c => c.Incumbent == FusionSelection.PaperName), steps);
        Assert.IsTrue(selection.Comparisons.All(c => c.Replaced == c.Gain > Bar(c) * c.StandardError), steps);
        var kept = selection.Comparisons.Where(c => c.Replaced).MaxBy(c => c.Gain - Bar(c) * c.StandardError)?.Candidate
            ?? FusionSelection.PaperName;
        Assert.AreEqual(kept, selection.Chosen.Name, "the eligible candidate with the highest lower bound is the choice: " + steps);
    }

    [TestMethod]
    public void FusedAccuracyScoresEveryCandidateAsEvaluateDoes()
    {
        using var train = StrongAndNoise(800, 0);
        using var test = StrongAndNoise(600, 1);
        using var model = new DiMmlLearner(Options(InferenceFusion.Selected)).Fit(train);
        var candidates = model.Selection!.Candidates;

        var accuracy = model.FusedAccuracy(test, candidates.Select(c => c.Weighting).ToArray());
        Assert.HasCount(candidates.Count, accuracy);
        for (var i = 0; i < candidates.Count; i++)
        {
            Assert.AreEqual(model.Evaluate(test, weighting: candidates[i].Weighting).Accuracy, accuracy[i], 1e-12, candidates[i].Name);
        }
    }

    [TestMethod]
    public void CalibratedFusionBeatsThePapersWhenOneModalityIsNoise()
    {
        using var train = StrongAndNoise(800, 0);
        using var test = StrongAndNoise(600, 1);
        using var paper = new DiMmlLearner(Options(InferenceFusion.CertaintyWeighting)).Fit(train);
        using var calibrated = new DiMmlLearner(Options(InferenceFusion.CalibratedCertaintyWeighting)).Fit(train);

        Assert.IsNull(paper.Selection);
        Assert.AreEqual("calibrated", calibrated.Selection!.Chosen.Name);
        var paperAccuracy = paper.Evaluate(test).Accuracy;
        var calibratedAccuracy = calibrated.Evaluate(test).Accuracy;
        Assert.IsGreaterThan(paperAccuracy, calibratedAccuracy, $"calibrated {calibratedAccuracy:P1} vs paper {paperAccuracy:P1}");
    }

    [TestMethod]
    public void ValidationRowsAreTheHeldOutRowsWhenGiven()
    {
        using var train = StrongAndNoise(400, 0);
        using var validation = StrongAndNoise(120, 2);
        var options = Options(InferenceFusion.Selected);
        options.Epochs = 3;
        using var model = new DiMmlLearner(options).Fit(train, validation);

        Assert.AreEqual(120, model.Selection!.HeldOutRows);
        Assert.AreEqual(3, model.History.Of(TrainingStage.Detached).Count());
    }

    [TestMethod]
    public void CrossFittingStaysOutOfTheProgressCallbackAndHistory()
    {
        using var train = StrongAndNoise(300, 0);
        var options = Options(InferenceFusion.Selected);
        options.Epochs = 2;
        options.RefitOnAllRows = RefitPolicy.Never;   // a refit's stage 2 reports its epochs like any run's
        var fusionEpochs = 0;
        options.EpochCompleted = r => fusionEpochs += r.Stage == TrainingStage.Fusion ? 1 : 0;
        using var model = new DiMmlLearner(options).Fit(train);

        Assert.AreEqual(options.FusionEpochs, fusionEpochs);
        Assert.AreEqual(options.FusionEpochs, model.History.Of(TrainingStage.Fusion).Count());
        Assert.AreNotEqual(Calibration.FusionHeadSource.None, model.Selection!.HeadSource);
    }

    [TestMethod]
    public void RefitOnAllRowsKeepsTheChoiceAndCheckpointsInItsOwnFolder()
    {
        using var train = StrongAndNoise(400, 0);
        var directory = Directory.CreateTempSubdirectory("dimml-refit-").FullName;
        try
        {
            var options = Options(InferenceFusion.Selected);
            options.Epochs = 3;
            options.RefitOnAllRows = RefitPolicy.Never;
            using var held = new DiMmlLearner(options).Fit(train);
            options.RefitOnAllRows = RefitPolicy.Always;
            options.CheckpointDirectory = directory;
            using var refit = new DiMmlLearner(options).Fit(train);

            Assert.IsTrue(refit.Selection!.RefittedOnAllRows);
            Assert.IsFalse(held.Selection!.RefittedOnAllRows);
            Assert.AreEqual(held.Selection.Chosen.Name, refit.Selection.Chosen.Name, "the same seed makes the same choice");
            CollectionAssert.AreEqual(held.Selection.BranchTemperatures.ToArray(), refit.Selection.BranchTemperatures.ToArray());
            Assert.AreSame(refit.Selection.Chosen.Weighting, refit.Weighting, "scored with the chosen fusion");
            Assert.IsNotEmpty(Directory.GetFiles(Path.Combine(directory, DiMmlOptions.RefitFolder)));
            Assert.IsNotEmpty(Directory.GetFiles(directory), "the first run's checkpoints stay beside the refit's");
            using var scope = TorchSharp.torch.NewDisposeScope();
            var (first, second) = (held.Network.Encoders[0].parameters().First(), refit.Network.Encoders[0].parameters().First());
            Assert.IsFalse(first.allclose(second), "stage 1 was trained again, on more rows");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
