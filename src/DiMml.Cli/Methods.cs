using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Cli;

/// <summary>A method to train: its name, the estimator (on key-typed Label and the modality columns), and how to read
/// per-modality accuracy from its fitted model.</summary>
internal sealed record Method(string Name, Func<IEstimator<ITransformer>> Estimator,
    Func<ITransformer, IDataView, IReadOnlyDictionary<string, double>> ModalityAccuracy);

/// <summary>The methods <c>dimml compare</c> runs, all with the same budget, seed and data.</summary>
internal static class Methods
{
    public static IReadOnlyList<Method> All(MLContext ml, DelimitedData data, Budget budget, IDataView? evaluation,
        Action<string, EpochRecord> onEpoch)
    {
        var methods = data.Modalities.Select(m => Unimodal(ml, data, budget, m.Name, onEpoch)).ToList();
        methods.Add(Joint(ml, data, budget, evaluation, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml", _ => { }, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-paper", o => o.Inference = InferenceFusion.CertaintyWeighting, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-no-refit", o => o.RefitOnAllRows = RefitPolicy.Never, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-refit", o => o.RefitOnAllRows = RefitPolicy.Always, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-no-duc", o => o.DucWeight = 0, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-no-shared-head", o => o.SharedHeadWeight = 0, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-fusion-head", o => o.Inference = InferenceFusion.FusionHeadOnly, onEpoch));
        methods.Add(DiMml(ml, data, budget, evaluation, "dimml-calibrated",
            o => o.Inference = InferenceFusion.CalibratedCertaintyWeighting, onEpoch));
        methods.Add(LightGbm(ml, data));
        return methods;
    }

    public static Method ByName(MLContext ml, DelimitedData data, Budget budget, string name, Action<string, EpochRecord> onEpoch)
    {
        var methods = All(ml, data, budget, null, onEpoch);
        return methods.FirstOrDefault(m => m.Name == name)
            ?? throw new CommandLineException($"Unknown method '{name}'. Methods: {string.Join(", ", methods.Select(m => m.Name))}.");
    }

    private static Method Unimodal(MLContext ml, DelimitedData data, Budget budget, string modality, Action<string, EpochRecord> onEpoch)
    {
        var name = $"unimodal:{modality}";
        return new(name, () =>
        {
            var options = Configure(new UnimodalTrainer.Options(), budget, r => onEpoch(name, r));
            options.Modalities.Add(Modality(data, modality, budget));
            return ml.MulticlassClassification.Trainers.Unimodal(options);
        }, (model, scored) => ScoreColumnAccuracy(scored, [modality]));
    }

    private static Method Joint(MLContext ml, DelimitedData data, Budget budget, IDataView? evaluation,
        Action<string, EpochRecord> onEpoch) =>
        new("joint", () =>
        {
            var options = Configure(new JointMultimodalTrainer.Options { ProbeEvaluationSet = evaluation }, budget, r =>
                onEpoch("joint", r));
            foreach (var m in data.Modalities)
            {
                options.Modalities.Add(Modality(data, m.Name, budget));
            }

            return ml.MulticlassClassification.Trainers.JointMultimodal(options);
        }, (model, _) => ((MultimodalBaselineTransformer)model).Diagnostics.ProbeAccuracy);

    // evaluation: the test rows, on which a fusion choice's candidates are scored (null outside a comparison).
    private static Method DiMml(MLContext ml, DelimitedData data, Budget budget, IDataView? evaluation, string name,
        Action<DiMmlTrainer.Options> variant, Action<string, EpochRecord> onEpoch) =>
        new(name, () =>
        {
            var options = Configure(new DiMmlTrainer.Options { FusionEpochs = budget.FusionEpochs, FusionEvaluationSet = evaluation },
                budget, r => onEpoch(name, r));
            foreach (var m in data.Modalities)
            {
                options.Modalities.Add(Modality(data, m.Name, budget));
            }

            variant(options);
            return ml.MulticlassClassification.Trainers.DiMml(options);
        }, (_, scored) => ScoreColumnAccuracy(scored, data.Modalities.Select(m => m.Name).ToArray()));

    private static Method LightGbm(MLContext ml, DelimitedData data) =>
        new("lightgbm", () => ml.Transforms.Concatenate("Features", data.Modalities.Select(m => m.Column).ToArray())
            .Append(ml.MulticlassClassification.Trainers.LightGbm("Label", "Features")),
            (_, _) => new Dictionary<string, double>());

    private static T Configure<T>(T options, Budget budget, Action<EpochRecord> onEpoch) where T : DiMml.Torch.Training.TrainerOptions
    {
        options.Epochs = budget.Epochs;
        options.BatchSize = budget.BatchSize;
        options.LearningRate = budget.LearningRate;
        options.EmbeddingSize = budget.EmbeddingSize;
        options.Seed = budget.Seed;
        options.NumberOfThreads = budget.Threads;
        options.EpochCompleted = onEpoch;
        options.CheckpointDirectory = budget.CheckpointDirectory;
        options.ResumeFrom = budget.ResumeFrom;
        return options;
    }

    private static ModalityOptions Modality(DelimitedData data, string name, Budget budget) =>
        new() { Name = name, ColumnName = DelimitedData.ColumnName(name), HiddenSizes = [budget.Hidden] };

    // Accuracy of each modality's head, read from its Score.{modality} column.
    private static IReadOnlyDictionary<string, double> ScoreColumnAccuracy(IDataView scored, IReadOnlyList<string> modalities)
    {
        var labels = scored.GetColumn<uint>("Label").ToArray();
        return modalities.ToDictionary(m => m, m =>
        {
            var scores = scored.GetColumn<float[]>(DiMmlColumns.ModalityScore(m)).ToArray();
            return scores.Where((s, i) => Array.IndexOf(s, s.Max()) + 1 == labels[i]).Count() / (double)Math.Max(1, labels.Length);
        });
    }
}
