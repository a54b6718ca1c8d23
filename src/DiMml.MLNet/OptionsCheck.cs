using DiMml.Torch.Training;

namespace DiMml;

/// <summary>The checks the ML.NET trainers add to the core's option validation: the label and modality columns.</summary>
internal static class OptionsCheck
{
    /// <summary>Validates <paramref name="options"/> once, at construction: the ML.NET settings here, the rest by the
    /// core's <see cref="TrainerOptions.Validate"/>.</summary>
    public static void Validate<TOptions>(TOptions options, int minModalities, int maxModalities, string method)
        where TOptions : TrainerOptions, IMultimodalTrainerOptions
    {
        Require(!string.IsNullOrWhiteSpace(options.LabelColumnName), nameof(options.LabelColumnName), "is empty; name the key-typed " +
            "label column");
        Require(options.Modalities.Count >= minModalities && options.Modalities.Count <= maxModalities, nameof(options.Modalities),
            $"has {options.Modalities.Count} modalities; {method} needs " +
            (minModalities == maxModalities ? $"exactly {minModalities}" : $"at least {minModalities}") +
            " (one ModalityOptions per modality column)");
        foreach (var (modality, index) in options.Modalities.Select((m, i) => (m, i)))
        {
            Require(modality is not null, nameof(options.Modalities), $"entry {index} is null");
            Require(!string.IsNullOrWhiteSpace(modality!.ColumnName), nameof(options.Modalities), $"entry {index} has no ColumnName; set " +
                $"it to the modality's vector column");
        }

        var duplicateColumn = options.Modalities.GroupBy(Column).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicateColumn is null, nameof(options.Modalities), $"use column '{duplicateColumn}' twice; each modality needs its own " +
            $"column");
        options.Validate(options.Modalities.Count);
        CheckOutputColumns(options);   // after the core's checks, which name a duplicate modality name as such
        var weight = options.ExampleWeightColumnName;
        Require(weight is null || (!string.IsNullOrWhiteSpace(weight) && weight != options.LabelColumnName
            && !options.Modalities.Any(m => m.ColumnName == weight)), nameof(options.ExampleWeightColumnName),
            $"'{weight}' is empty or names the label or a modality column; name a numeric weight column, or leave it null");
    }

    // Two outputs of one name would hide each other, and an output named like an input would hide the input from later steps.
    private static void CheckOutputColumns<TOptions>(TOptions options)
        where TOptions : TrainerOptions, IMultimodalTrainerOptions
    {
        foreach (var (option, name) in new[]
        {
            (nameof(options.ScoreColumnName), options.ScoreColumnName),
            (nameof(options.PredictedLabelColumnName), options.PredictedLabelColumnName),
            (nameof(options.BranchWeightsColumnName), options.BranchWeightsColumnName),
        })
        {
            Require(!string.IsNullOrWhiteSpace(name), option, "is empty; name the output column");
        }

        Require(options.ModalityScoreColumnPrefix is not null, nameof(options.ModalityScoreColumnPrefix), "is null; use \"\" for none");
        var outputs = options.OutputColumns().All(options.Modalities.Select(m => m.Name)).ToArray();
        var clash = outputs.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1)?.Key
            ?? outputs.Intersect(options.Modalities.Select(Column).Append(options.LabelColumnName)).FirstOrDefault();
        Require(clash is null, nameof(options.ScoreColumnName), $"and the other output names give column '{clash}' twice or name an " +
            "input column; give the Score, PredictedLabel and BranchWeights columns and the modality-score prefix distinct names");
    }

    /// <summary>The column that holds <paramref name="modality"/>.</summary>
    public static string Column(ModalityOptions modality) => modality.ColumnName;

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Option {option} {problem}.", option);
        }
    }
}
