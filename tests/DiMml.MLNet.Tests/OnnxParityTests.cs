using DiMml.TestSupport;
using DiMml.Torch.Export;
using DiMml.Torch.Inference;
using DiMml.Torch.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class OnnxParityTests
{
    private static List<ModalityOptions> Specs(int count) =>
        Enumerable.Range(0, count).Select(m => new ModalityOptions($"m{m}") { HiddenSizes = [24, 16] }).ToList();

    private static MultimodalModel Train(string kind, FusionHeadKind fusion, int modalities, Torch.Data.MultimodalDataset data)
    {
        var common = (TrainerOptions o) =>
        {
            o.Epochs = 3;
            o.BatchSize = 32;
            o.LearningRate = 0.05;
            o.EmbeddingSize = 16;
            o.FusionHead = fusion;
            return o;
        };
        return kind switch
        {
            "dimml" => new DiMmlLearner((DiMmlOptions)common(new DiMmlOptions
            {
                Modalities = Specs(modalities),
                FusionEpochs = 2,
                CertaintyTemperature = 3,
                Inference = InferenceFusion.CertaintyWeighting,
            })).Fit(data),
            "selected" =>
                new DiMmlLearner((DiMmlOptions)common(new DiMmlOptions
                {
                    Modalities = Specs(modalities),
                    FusionEpochs = 2,
                    CalibrationFraction = 0.3,
                })).Fit(data),
            "fusionhead" =>
                new DiMmlLearner((DiMmlOptions)common(new DiMmlOptions
                {
                    Modalities = Specs(modalities),
                    FusionEpochs = 2,
                    Inference = InferenceFusion.FusionHeadOnly
                })).Fit(data),
            "calibrated" =>
                new DiMmlLearner((DiMmlOptions)common(new DiMmlOptions
                {
                    Modalities = Specs(modalities),
                    FusionEpochs = 2,
                    Inference = InferenceFusion.CalibratedCertaintyWeighting,
                    CalibrationFraction = 0.3
                })).Fit(data),
            "joint" => new JointLearner(common(new TrainerOptions { Modalities = Specs(modalities) })).Fit(data),
            _ => new UnimodalLearner(common(new TrainerOptions { Modalities = Specs(1) })).Fit(data.SelectModalities(0)),
        };
    }

    [TestMethod]
    [DataRow("dimml", FusionHeadKind.Concat, 2)]
    [DataRow("dimml", FusionHeadKind.Sum, 3)]
    [DataRow("dimml", FusionHeadKind.Film, 2)]
    [DataRow("dimml", FusionHeadKind.Gated, 2)]
    [DataRow("dimml", FusionHeadKind.None, 3)]
    [DataRow("joint", FusionHeadKind.Concat, 2)]
    [DataRow("fusionhead", FusionHeadKind.Gated, 2)]
    [DataRow("calibrated", FusionHeadKind.Concat, 2)]
    [DataRow("calibrated", FusionHeadKind.None, 3)]
    [DataRow("selected", FusionHeadKind.Concat, 2)]
    [DataRow("unimodal", FusionHeadKind.None, 1)]
    public void OnnxRuntimeMatchesTorchSharp(string kind, FusionHeadKind fusion, int modalities)
    {
        using var data = Synthetic.Clusters(200, Math.Max(2, modalities), 10, 3, separation: 3, seed: 21);
        using var model = Train(kind, fusion, modalities, data);
        AssertParity(model, data, 10);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(2)]
    public void PreferredBranchWithFallbackMatchesTorchSharp(int preferred)
    {
        // Which candidate held-out selection keeps depends on the data; this fixes one that fuses a single branch, so
        // rows missing it exercise the fallback to the remaining branches.
        using var data = Synthetic.Clusters(200, 2, 10, 3, separation: 3, seed: 21);
        using var trained = Train("calibrated", FusionHeadKind.Concat, 2, data);
        var flags = new[] { false, false, false };
        flags[preferred] = true;
        var weighting = new CertaintyWeighting(1.0, trained.Weighting.BranchTemperatures, flags);
        // The view shares the trained network, which disposing `trained` frees.
        var view = new MultimodalModel(trained.Network, trained.Kind, trained.ModalityNames, trained.History, trained.Dimensions, weighting,
            trained.Device);
        AssertParity(view, data, 10);
    }

    [TestMethod]
    [DataRow("per-class", FusionHeadKind.Concat, 2)]
    [DataRow("per-class", FusionHeadKind.None, 3)]
    [DataRow("stacked", FusionHeadKind.Concat, 2)]
    [DataRow("stacked", FusionHeadKind.Sum, 3)]
    public void CombinerCandidatesMatchTorchSharp(string candidate, FusionHeadKind fusion, int modalities)
    {
        // Every candidate exports, whichever the choice keeps: score the default model with each learnt combiner.
        using var data = Synthetic.Clusters(200, modalities, 10, 3, separation: 3, seed: 21);
        using var trained = Train("selected", fusion, modalities, data);
        var weighting = trained.Selection!.Candidates.Single(c => c.Name == candidate).Weighting;
        Assert.IsNotNull(weighting.Combiner);
        var view = new MultimodalModel(trained.Network, trained.Kind, trained.ModalityNames, trained.History, trained.Dimensions, weighting,
            trained.Device);
        AssertParity(view, data, 10);
    }

    [TestMethod]
    public void ResNetEncodersMatchTorchSharp()
    {
        using var data = Synthetic.Clusters(120, 2, 72, 3, separation: 3, seed: 22);
        var options = new DiMmlOptions
        {
            Modalities =
            [
                new ModalityOptions("flow") { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(2, 1, 6, 6) },
                new ModalityOptions("frames") { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(1, 2, 6, 6) },
            ],
            Epochs = 2,
            BatchSize = 32,
            LearningRate = 0.05,
            EmbeddingSize = 16,
            FusionEpochs = 1,
        };
        using var model = new DiMmlLearner(options).Fit(data);
        AssertParity(model, data, 72);
    }

    // The paper's recipe: per-channel normalisation (part of the exported graph), resized crops per frame, and a fusion
    // head trained on augmented batches.
    [TestMethod]
    public void ResNetWithPaperRecipeMatchesTorchSharp()
    {
        using var data = Synthetic.Clusters(120, 2, 72, 3, separation: 3, seed: 23);
        var options = new DiMmlOptions
        {
            Modalities =
            [
                new ModalityOptions("flow") { Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(2, 1, 6, 6),
                    Normalization = new([0.1f, -0.2f], [0.5f, 2f]) },
                new ModalityOptions("frames")
                {
                    Encoder = EncoderKind.ResNet18, Shape = new ModalityShape(1, 2, 6, 6), Normalization = new([0.3f], [0.7f]),
                        Augmentation = Augmentation.Paper,
                },
            ],
            Epochs = 2,
            BatchSize = 32,
            LearningRate = 0.05,
            EmbeddingSize = 16,
            FusionEpochs = 1,
            FusionFeatures = FusionFeatures.AugmentedBatches,
        };
        using var model = new DiMmlLearner(options).Fit(data);
        AssertParity(model, data, 72);
    }

    private static void AssertParity(MultimodalModel model, Torch.Data.MultimodalDataset data, int width)
    {
        var names = model.ModalityNames.Select(n => $"In_{n}").ToArray();
        var bytes = OnnxExport.ToBytes(model, names, OnnxLayout.Batched);

        using var scope = NewDisposeScope();
        var inputs = Enumerable.Range(0, names.Length).Select(m => data.Features(m)[..40].clone()).ToArray();
        inputs[0][3] = full(width, float.NaN);                      // one modality missing
        if (names.Length > 1)
        {
            inputs[^1][5] = full(width, float.NaN);
            inputs[0][7] = full(width, float.NaN);                  // every modality missing
            inputs[^1][7] = full(width, float.NaN);
        }

        using var expected = model.Predict(inputs);
        using var session = new InferenceSession(bytes);
        using var results = session.Run(names.Select((name, m) =>
            NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(inputs[m].data<float>().ToArray(), [40, width]))).ToArray());
        var score = results.Single(r => r.Name == DiMmlColumns.Score).AsTensor<float>().ToArray();
        var weights = results.Single(r => r.Name == DiMmlColumns.BranchWeights).AsTensor<float>().ToArray();
        var index = results.Single(r => r.Name == DiMmlColumns.PredictedIndex).AsTensor<long>().ToArray();

        AssertClose(expected.Probabilities.data<float>().ToArray(), score, 1e-4);
        AssertClose(expected.Weights.data<float>().ToArray(), weights, 1e-4);
        var torchIndex = expected.Probabilities.argmax(1).data<long>().ToArray();
        var missingRows = expected.Probabilities.isnan().any(1).data<bool>().ToArray();
        for (var row = 0; row < 40; row++)
        {
            Assert.AreEqual(missingRows[row] ? -1L : torchIndex[row], index[row], $"row {row}");
        }

        if (model.Kind != ModelKind.Joint)
        {
            var first = DiMmlColumns.ModalityScorePrefix + model.ModalityNames[0];
            var privateScore = results.Single(r => r.Name == first).AsTensor<float>().ToArray();
            using var guard = no_grad();
            var modalityLogits = model.Kind == ModelKind.FusionHeadOnly
                ? model.Network.ModalityLogits(model.Network.Encode(inputs.Select(x => x.nan_to_num(0.0, 0.0, 0.0)).ToArray()))[0]
                : expected.BranchLogits[0];
            var privateExpected = modalityLogits.softmax(1).data<float>().ToArray();
            var classes = privateExpected.Length / 40;
            for (var i = 0; i < privateScore.Length; i++)
            {
                var row = i / classes;
                var missing = row == 3 || (row == 7 && names.Length > 1);
                Assert.IsTrue(missing ? float.IsNaN(privateScore[i]) : Math.Abs(privateScore[i] - privateExpected[i]) <= 1e-4,
                    $"{first}[{i}] = {privateScore[i]}, TorchSharp {privateExpected[i]}");
            }
        }
    }

    // NaN must match NaN (rows with no available branch); everything else within the tolerance.
    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.HasCount(expected.Length, actual);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(float.IsNaN(expected[i]), float.IsNaN(actual[i]), $"NaN mismatch at {i}: {expected[i]} vs {actual[i]}");
            if (!float.IsNaN(expected[i]))
            {
                worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            }
        }

        Assert.IsLessThanOrEqualTo(tolerance, worst, $"max |diff| = {worst}");
    }
}
