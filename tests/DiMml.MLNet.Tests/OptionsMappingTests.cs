using DiMml.Torch.Training;

namespace DiMml.MLNet.Tests;

/// <summary>
/// Each ML.NET trainer's options are the core's options plus the ML.NET-only settings, so no option can be dropped
/// on the way to the core: these tests fail when a property is added to the ML.NET side only, or when the run copy
/// handed to the core loses a value.
/// </summary>
[TestClass]
public sealed class OptionsMappingTests
{
    private static readonly string[] MLNetOnly = ["LabelColumnName", "ValidationSet", "ProbeEpochs", "ProbeEvaluationSet",
        "FusionEvaluationSet", "ExampleWeightColumnName", "ScoreColumnName", "PredictedLabelColumnName", "BranchWeightsColumnName",
        "ModalityScoreColumnPrefix"];

    [TestMethod]
    [DataRow(typeof(DiMmlTrainer.Options), typeof(DiMmlOptions))]
    [DataRow(typeof(JointMultimodalTrainer.Options), typeof(TrainerOptions))]
    [DataRow(typeof(UnimodalTrainer.Options), typeof(TrainerOptions))]
    public void EveryTrainerOptionIsACoreOptionOrAnMLNetSetting(Type options, Type core)
    {
        Assert.IsTrue(core.IsAssignableFrom(options), $"{options} derives from {core}");
        var extra = options.GetProperties().Where(p => p.DeclaringType == options).Select(p => p.Name).Except(MLNetOnly).ToArray();
        Assert.IsEmpty(extra, $"declared on the ML.NET side only: {string.Join(", ", extra)}");
    }

    [TestMethod]
    public void TheRunCopyCarriesEverySettingButTheSeedAndCallback()
    {
        var options = new DiMmlTrainer.Options { LabelColumnName = "Class" };
        var changed = new Dictionary<string, object?>();
        foreach (var property in typeof(DiMmlTrainer.Options).GetProperties().Where(p => p.CanWrite && p.SetMethod!.IsPublic))
        {
            var value = NonDefault(property.PropertyType, property.GetValue(options));
            if (value is not null)
            {
                property.SetValue(options, value);
                changed[property.Name] = value;
            }
        }

        Assert.IsGreaterThan(30, changed.Count, "every settable option was given a non-default value");
        Action<EpochRecord> callback = _ => { };
        var run = options.ForRun(1234, callback);
        Assert.IsInstanceOfType<DiMmlTrainer.Options>(run);
        foreach (var (name, value) in changed.Where(p =>
            p.Key is not (nameof(TrainerOptions.Seed) or nameof(TrainerOptions.EpochCompleted))))
        {
            Assert.AreEqual(value, typeof(DiMmlTrainer.Options).GetProperty(name)!.GetValue(run), name);
        }

        Assert.AreEqual(1234, run.Seed);
        Assert.AreSame(callback, run.EpochCompleted);
        Assert.AreNotEqual(1234, options.Seed, "the caller's options are left as they were");
    }

    private static object? NonDefault(Type type, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(int) => (current as int? ?? 0) + 7,
            _ when underlying == typeof(long) => (current as long? ?? 0) + 7,
            _ when underlying == typeof(double) => (current as double? ?? 0) + 0.25,
            _ when underlying == typeof(bool) => !(current as bool? ?? false),
            _ when underlying == typeof(string) => "changed",
            _ when underlying.IsEnum => Enum.GetValues(underlying).Cast<object>().Last(v => !v.Equals(current)),
            _ when underlying == typeof(Action<EpochRecord>) => new Action<EpochRecord>(_ => { }),
            _ => null,
        };
    }

    [TestMethod]
    public void TheCatalogExtensionsAreFoundWithUsingMicrosoftMLAlone()
    {
        // ML.NET's own packages put their catalog extensions in Microsoft.ML; these tests' namespace would find ours anyway.
        foreach (var type in new[] { typeof(Microsoft.ML.DiMmlCatalog), typeof(Microsoft.ML.TransformsCatalogExtensions) })
        {
            Assert.AreEqual("Microsoft.ML", type.Namespace, type.Name);
        }
    }
}
