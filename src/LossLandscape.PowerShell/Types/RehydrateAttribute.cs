using System.Collections;
using System.Management.Automation;
using LossLandscape.Core.Checkpoints;
using LossLandscape.Core.Data;
using LossLandscape.Core.Directions;
using LossLandscape.Core.Models;
using LossLandscape.Core.Native;
using LossLandscape.Core.Surfaces;
using LossLandscape.PowerShell.Infrastructure;

namespace LossLandscape.PowerShell.Types;

/// <summary>
/// Lets a parameter take our pipeline objects after a serialization round trip (Start-Job, remoting,
/// Export-Clixml): a <c>Deserialized.</c> object is turned back into the live one from its file,
/// whose hash must still match, or from its recipe. Live objects and anything else pass unchanged,
/// so a deserialized object of another type can still bind by property name.
/// </summary>
/// <param name="type">The parameter's type (its element type for an array).</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class RehydrateAttribute(Type type) : ArgumentTransformationAttribute
{
    internal const string DeserializedPrefix = "Deserialized.";

    private readonly string deserializedName = DeserializedPrefix + type.FullName;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is PSObject wrapped && Matches(wrapped)) return Rehydrate(wrapped);
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is IList list && list.Cast<object?>().Any(item => item is PSObject o && Matches(o)))
            return list.Cast<object?>().Select(item => item is PSObject o && Matches(o) ? Rehydrate(o) : item).ToArray();
        return inputData;
    }

    private bool Matches(PSObject value) => value.TypeNames.Count > 0 && value.TypeNames[0] == deserializedName;

    /// <exception cref="ArgumentTransformationMetadataException">The file is gone or changed, or the type cannot be rebuilt.</exception>
    internal static object Rehydrate(PSObject value)
    {
        var typeName = value.TypeNames[0][DeserializedPrefix.Length..];
        try
        {
            return typeName switch
            {
                _ when typeName == typeof(Checkpoint).FullName => RehydrateCheckpoint(value),
                _ when typeName == typeof(LossSurface).FullName => RehydrateSurface(value),
                _ when typeName == typeof(LandscapeDirection).FullName => RehydrateDirection(value),
                _ when typeName == typeof(LandscapeDataset).FullName => RehydrateDataset(value),
                _ => throw new ArgumentException($"A deserialized {typeName} cannot be turned back into the live object; pipe the objects it holds instead."),
            };
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException or InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            throw new ArgumentTransformationMetadataException($"Cannot use the deserialized {typeName.Split('.')[^1]} '{value}': {e.Message}", e);
        }
    }

    private static Checkpoint RehydrateCheckpoint(PSObject value)
    {
        var path = Text(value, nameof(Checkpoint.Path));
        var format = Enum.Parse<CheckpointFormat>(Text(value, nameof(Checkpoint.Format)));
        // Our own files, TorchScript and Hugging Face folders name their architecture; foreign ones were imported with -Architecture.
        var architecture = format is CheckpointFormat.LossLandscape or CheckpointFormat.TorchScript or CheckpointFormat.HuggingFace ? null : ModelZoo.DefaultSpec(Text(value, nameof(Checkpoint.Architecture)));
        // The hash is checked below against the object's own, which says more than the side file's would.
        var info = CheckpointImporter.Read(ModuleRuntime.Load(), path, architecture, verifyHash: false);
        var expected = Text(value, nameof(Checkpoint.Sha256));
        // The side file records the hash of the state it was written with; the state file itself is what must not have changed.
        var actual = format == CheckpointFormat.HuggingFace ? HuggingFaceCheckpoint.Sha256(info.StatePath) : CheckpointStore.Sha256(info.StatePath);
        if (info.Metadata.StateSha256 != expected || actual != expected)
            throw new InvalidDataException($"'{path}' changed since the object was made (SHA-256 {actual}, expected {expected}).");
        return new Checkpoint(info);
    }

    private static LossSurface RehydrateSurface(PSObject value)
    {
        var path = OptionalText(value, nameof(LossSurface.Path))
            ?? throw new ArgumentException("the surface was never written to a file; compute it with -OutFile to pass it between sessions.");
        var surface = new LossSurface(SurfaceStore.Read(path, allowForeign: true));
        var expected = OptionalText(value, nameof(LossSurface.CheckpointSha256));
        if (expected != surface.CheckpointSha256)
            throw new InvalidDataException($"'{path}' now holds the surface of checkpoint {surface.CheckpointSha256}, not {expected}.");
        return surface;
    }

    /// <summary>A direction travels as its recipe and hash: the values are rebuilt and checked where it is used.</summary>
    private static LandscapeDirection RehydrateDirection(PSObject value)
    {
        var patterns = Property(value, nameof(LandscapeDirection.Parameter));
        var recipe = new DirectionRecipe
        {
            Parameters = patterns is null ? null : new ParameterSubset(LanguagePrimitives.ConvertTo<string[]>(patterns)),
            Kind = Enum.Parse<DirectionKind>(Text(value, nameof(LandscapeDirection.Kind))),
            Axis = Text(value, nameof(LandscapeDirection.Axis)) == "y" ? 1 : 0,
            Normalization = Enum.Parse<DirectionNormalization>(Text(value, nameof(LandscapeDirection.Normalization))),
            Seed = Convert.ToInt64(Property(value, nameof(LandscapeDirection.Seed)), System.Globalization.CultureInfo.InvariantCulture),
            IgnoreBiasAndNorm = bool.Parse(Text(value, nameof(LandscapeDirection.IgnoreBiasAndNorm))),
            Orthogonalized = bool.Parse(Text(value, nameof(LandscapeDirection.Orthogonalized))),
            BatchNormStatistics = BatchNormStatisticsJsonConverter.Parse(Text(value, nameof(LandscapeDirection.BatchNormStatistics))),
            CheckpointSha256 = Text(value, nameof(LandscapeDirection.CheckpointSha256)),
            TargetSha256 = OptionalText(value, nameof(LandscapeDirection.TargetSha256)),
            BendSha256 = OptionalText(value, nameof(LandscapeDirection.BendSha256)),
        };
        var cosine = Property(value, nameof(LandscapeDirection.CosineToOther));
        return new LandscapeDirection(
            recipe,
            Text(value, nameof(LandscapeDirection.Sha256)),
            Convert.ToDouble(Property(value, nameof(LandscapeDirection.Norm)), System.Globalization.CultureInfo.InvariantCulture),
            Text(value, nameof(LandscapeDirection.CheckpointPath)),
            OptionalText(value, nameof(LandscapeDirection.TargetPath)),
            // FilePath: what a session before the rename serialized.
            OptionalText(value, nameof(LandscapeDirection.Path)) ?? OptionalText(value, "FilePath"),
            cosine is null ? null : Convert.ToDouble(cosine, System.Globalization.CultureInfo.InvariantCulture),
            OptionalText(value, nameof(LandscapeDirection.BendPath)));
    }

    /// <summary>The token options from the flat properties that name them; null for images (an object written before they existed has none).</summary>
    private static TokenOptions? RehydrateTokenOptions(PSObject value)
    {
        long Number(string name) => Property(value, name) is { } number ? Convert.ToInt64(number, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var operation = OptionalText(value, nameof(LandscapeDataset.Operation));
        var options = new TokenOptions
        {
            Modulus = (int)Number(nameof(LandscapeDataset.Modulus)),
            Operation = operation is null ? default : Enum.Parse<ModularOperation>(operation),
            TrainFraction = Property(value, nameof(LandscapeDataset.TrainFraction)) is { } fraction ? Convert.ToDouble(fraction, System.Globalization.CultureInfo.InvariantCulture) : 0,
            SplitSeed = Number(nameof(LandscapeDataset.SplitSeed)),
            ContextLength = (int)Number(nameof(LandscapeDataset.ContextLength)),
            Stride = (int)Number(nameof(LandscapeDataset.Stride)),
            VocabularySize = (int)Number(nameof(LandscapeDataset.VocabularySize)),
        };
        return options == new TokenOptions() ? null : options;
    }

    private static LandscapeDataset RehydrateDataset(PSObject value)
    {
        var maxSamples = Property(value, nameof(LandscapeDataset.MaxSamples));
        var reference = new DatasetReference(
            Text(value, nameof(LandscapeDataset.Name)),
            Enum.Parse<DatasetSplit>(Text(value, nameof(LandscapeDataset.Split))),
            maxSamples is null ? null : Convert.ToInt32(maxSamples, System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(Property(value, nameof(LandscapeDataset.SubsetSeed)), System.Globalization.CultureInfo.InvariantCulture))
        {
            Path = OptionalText(value, nameof(LandscapeDataset.Path)),
            Format = Enum.Parse<DatasetFormat>(Text(value, nameof(LandscapeDataset.Format))),
            Tokens = RehydrateTokenOptions(value),
        };
        return LandscapeDataset.Resolve(LandscapeRuntime.Load().DatasetCache, reference);
    }

    private static object? Property(PSObject value, string name)
    {
        var raw = value.Properties[name]?.Value;
        return raw is PSObject wrapped ? wrapped.BaseObject : raw;
    }

    private static string? OptionalText(PSObject value, string name) => Property(value, name)?.ToString();

    private static string Text(PSObject value, string name) =>
        OptionalText(value, name) ?? throw new ArgumentException($"it has no {name}.");
}
