using DiMml.TestSupport;
using DiMml.Torch.Training;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class ValidationSelectionTests
{
    [TestMethod]
    public void BestValidationEpochIsKeptAndPatienceStopsEarly()
    {
        using var train = Synthetic.Clusters(200, 1, 8, 3, separation: 2.5, seed: 14);
        using var validation = Synthetic.Clusters(150, 1, 8, 3, separation: 2.5, seed: 14, sample: 1);
        var options = Small.Baseline(1, epochs: 30);
        options.EarlyStoppingPatience = 3;
        using var model = new UnimodalLearner(options).Fit(train, validation);

        var scores = model.History.Select(r => r.ValidationAccuracy!.Value).ToArray();
        var bestEpoch = Array.IndexOf(scores, scores.Max());
        Assert.IsLessThan(30, scores.Length, "stopped early");
        Assert.AreEqual(bestEpoch + 3, scores.Length - 1, "three epochs without improvement after the best one");
        Assert.AreEqual(scores.Max(), model.Evaluate(validation).Accuracy, 1e-9, "the best epoch's weights are the model");
    }

    [TestMethod]
    public void WithoutSelectionTheLastEpochIsTheModel()
    {
        using var train = Synthetic.Clusters(200, 1, 8, 3, separation: 2.5, seed: 15);
        using var validation = Synthetic.Clusters(150, 1, 8, 3, separation: 2.5, seed: 15, sample: 1);
        var options = Small.Baseline(1, epochs: 6);
        options.SelectBestOnValidation = false;
        using var model = new UnimodalLearner(options).Fit(train, validation);
        Assert.HasCount(6, model.History);
        Assert.AreEqual(model.History[^1].ValidationAccuracy!.Value, model.Evaluate(validation).Accuracy, 1e-9);
    }

    [TestMethod]
    public void DiMmlRecordsValidationAccuracyInBothStages()
    {
        using var train = Synthetic.Clusters(200, 2, 8, 3, separation: 4, seed: 16);
        using var validation = Synthetic.Clusters(100, 2, 8, 3, separation: 4, seed: 16, sample: 1);
        using var model = new DiMmlLearner(Small.DiMml(2, epochs: 4)).Fit(train, validation);   // the paper's fusion
        Assert.IsTrue(model.History.All(r => r.ValidationAccuracy is > 0.5),
            string.Join(", ", model.History.Select(r => r.ValidationAccuracy)));
    }

    [TestMethod]
    public void BestCheckpointIsKeptBesideTheNewestOnes()
    {
        var root = Directory.CreateTempSubdirectory("dimml-best-").FullName;
        try
        {
            using var train = Synthetic.Clusters(200, 1, 8, 3, separation: 2.5, seed: 17);
            using var validation = Synthetic.Clusters(150, 1, 8, 3, separation: 2.5, seed: 17, sample: 1);
            var options = Small.Baseline(1, epochs: 12);
            options.CheckpointDirectory = root;
            options.CheckpointsToKeep = 1;
            using var model = new UnimodalLearner(options).Fit(train, validation);
            var names = Directory.GetFiles(root).Select(Path.GetFileName).Order().ToArray();
            CollectionAssert.AreEqual(new[] { "best-3.bin", "checkpoint-3-00011.bin" }, names);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    [DataRow(true, DisplayName = "best epoch's weights selected")]
    [DataRow(false, DisplayName = "last epoch kept")]
    public void ResumedRunKeepsTheBestEpochAndPatienceFromBeforeTheInterruption(bool select)
    {
        var root = Directory.CreateTempSubdirectory("dimml-resume-best-").FullName;
        try
        {
            using var train = Synthetic.Clusters(200, 1, 8, 3, separation: 2.5, seed: 14);
            using var validation = Synthetic.Clusters(150, 1, 8, 3, separation: 2.5, seed: 14, sample: 1);
            TrainerOptions Options(string directory)
            {
                var options = Small.Baseline(1, epochs: 30);
                options.EarlyStoppingPatience = 3;
                options.SelectBestOnValidation = select;
                options.CheckpointDirectory = Path.Combine(root, directory);
                options.CheckpointsToKeep = 1;
                return options;
            }

            using var uninterrupted = new UnimodalLearner(Options("a")).Fit(train, validation);
            var scores = uninterrupted.History.Select(r => r.ValidationAccuracy!.Value).ToArray();
            var bestEpoch = Array.IndexOf(scores, scores.Max());
            Assert.IsLessThan(scores.Length - 1, bestEpoch + 1, "the run must go on past its best epoch for this test to mean anything");

            // Killed one epoch after the best one: the newest checkpoint is no longer the best.
            var crashing = Options("b");
            crashing.EpochCompleted = record =>
            {
                if (record.Epoch == bestEpoch + 1)
                {
                    throw new OperationCanceledException("simulated crash");
                }
            };
            Assert.Throws<OperationCanceledException>(() => new UnimodalLearner(crashing).Fit(train, validation));

            var resumed = Options("b");
            resumed.ResumeFrom = resumed.CheckpointDirectory;
            using var model = new UnimodalLearner(resumed).Fit(train, validation);
            CollectionAssert.AreEqual(scores, model.History.Select(r => r.ValidationAccuracy!.Value).ToArray(), "same epochs, same " +
                "early stop");
            Assert.AreEqual(uninterrupted.Evaluate(validation).Accuracy, model.Evaluate(validation).Accuracy, 1e-12);
            foreach (var (name, value) in uninterrupted.Network.state_dict())
            {
                Assert.IsTrue(value.equal(model.Network.state_dict()[name]).all().item<bool>(), $"{name} differs");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ResumingWithoutTheBestCheckpointNamesTheMissingFile()
    {
        var root = Directory.CreateTempSubdirectory("dimml-resume-nobest-").FullName;
        try
        {
            using var train = Synthetic.Clusters(200, 1, 8, 3, separation: 2.5, seed: 14);
            using var validation = Synthetic.Clusters(150, 1, 8, 3, separation: 2.5, seed: 14, sample: 1);
            var options = Small.Baseline(1, epochs: 30);
            options.CheckpointDirectory = root;
            options.CheckpointsToKeep = 30;
            using (var model = new UnimodalLearner(options).Fit(train, validation))
            {
                var best = model.History.MaxBy(r => r.ValidationAccuracy!.Value)!.Epoch;
                Assert.IsLessThan(29, best, "the best epoch must come before the last for this test to mean anything");
                File.Delete(Path.Combine(root, "best-3.bin"));
                foreach (var later in Directory.GetFiles(root).Where(f => !f.EndsWith($"{best + 1:D5}.bin", StringComparison.Ordinal)))
                {
                    File.Delete(later);
                }
            }

            options.ResumeFrom = root;
            var error = Assert.ThrowsExactly<FileNotFoundException>(() => new UnimodalLearner(options).Fit(train, validation));
            StringAssert.Contains(error.Message, "best-3.bin");
            StringAssert.Contains(error.Message, "SelectBestOnValidation");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
