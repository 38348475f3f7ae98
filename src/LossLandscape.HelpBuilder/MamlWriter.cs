using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Xml;

namespace LossLandscape.HelpBuilder;

/// <summary>
/// Writes MAML (the command:command schema Get-Help reads for binary cmdlets). Written by hand with
/// XmlWriter because platyPS, the usual generator, is not served here. Everything about a parameter
/// that the cmdlet itself knows (type, sets, position, mandatory, pipeline input, aliases, allowed
/// values, default) comes from its metadata, so the help cannot drift from the code; the markdown
/// gives only the prose and the examples.
/// </summary>
public sealed class MamlWriter : IDisposable
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private readonly XmlWriter xml;

    public MamlWriter(Stream stream)
    {
        xml = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false), NewLineChars = "\n" });
        xml.WriteStartDocument();
        xml.WriteStartElement("helpItems", "http://msh");
        xml.WriteAttributeString("schema", "maml");
    }

    public void Write(CmdletInfo cmdlet, CommandDoc doc, IReadOnlyList<ParameterMetadata> parameters)
    {
        xml.WriteStartElement("command", "command", Command);
        xml.WriteAttributeString("xmlns", "maml", null, Maml);
        xml.WriteAttributeString("xmlns", "dev", null, Dev);

        xml.WriteStartElement("command", "details", Command);
        xml.WriteElementString("command", "name", Command, cmdlet.Name);
        xml.WriteElementString("command", "verb", Command, cmdlet.Verb);
        xml.WriteElementString("command", "noun", Command, cmdlet.Noun);
        Description(doc.Synopsis);
        xml.WriteEndElement();

        Description(doc.Description);

        xml.WriteStartElement("command", "syntax", Command);
        foreach (var set in cmdlet.ParameterSets.OrderByDescending(s => s.IsDefault))
        {
            xml.WriteStartElement("command", "syntaxItem", Command);
            xml.WriteElementString("maml", "name", Maml, cmdlet.Name);
            var inSet = parameters.Where(p => p.ParameterSets.ContainsKey(set.Name) || p.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets));
            foreach (var parameter in inSet.OrderBy(p => Position(p, set.Name) is { } position ? position : int.MaxValue))
            {
                Parameter(cmdlet, parameter, doc, set.Name);
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("command", "parameters", Command);
        foreach (var parameter in parameters) Parameter(cmdlet, parameter, doc, setName: null);
        xml.WriteEndElement();

        TypeList("inputTypes", "inputType", doc.Inputs);
        TypeList("returnValues", "returnValue", doc.Outputs);

        if (doc.Notes.Count > 0)
        {
            xml.WriteStartElement("maml", "alertSet", Maml);
            xml.WriteStartElement("maml", "alert", Maml);
            Paragraphs(doc.Notes);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteStartElement("command", "examples", Command);
        foreach (var example in doc.Examples)
        {
            xml.WriteStartElement("command", "example", Command);
            xml.WriteElementString("maml", "title", Maml, $"-------------------------- {example.Title} --------------------------");
            xml.WriteElementString("dev", "code", Dev, example.Code);
            xml.WriteStartElement("dev", "remarks", Dev);
            Paragraphs(example.Remarks);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteStartElement("command", "relatedLinks", Command);
        foreach (var link in doc.Links)
        {
            xml.WriteStartElement("maml", "navigationLink", Maml);
            xml.WriteElementString("maml", "linkText", Maml, link.Text);
            xml.WriteElementString("maml", "uri", Maml, link.Uri);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();

        xml.WriteEndElement();
    }

    public void Dispose()
    {
        xml.WriteEndElement();
        xml.WriteEndDocument();
        xml.Dispose();
    }

    /// <summary>The standard text of the risk-mitigation parameters ShouldProcess adds, unless the markdown says more.</summary>
    public static ParameterDoc StandardDoc(string name) => name switch
    {
        "WhatIf" => new ParameterDoc(name, ["Shows what would happen if the cmdlet runs. The cmdlet is not run: nothing is computed or written."], null),
        "Confirm" => new ParameterDoc(name, ["Prompts you for confirmation before the cmdlet writes or changes anything."], null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private void Parameter(CmdletInfo cmdlet, ParameterMetadata parameter, CommandDoc doc, string? setName)
    {
        var set = SetMetadata(parameter, setName);
        var text = doc.Parameters.TryGetValue(parameter.Name, out var documented) ? documented : StandardDoc(parameter.Name);
        var property = cmdlet.ImplementingType.GetProperty(parameter.Name);
        var isSwitch = parameter.SwitchParameter;
        var typeName = TypeName(parameter.ParameterType);

        xml.WriteStartElement("command", "parameter", Command);
        xml.WriteAttributeString("required", set.IsMandatory ? "true" : "false");
        xml.WriteAttributeString("variableLength", parameter.ParameterType.IsArray ? "true" : "false");
        xml.WriteAttributeString("globbing", property?.GetCustomAttribute<SupportsWildcardsAttribute>() is null ? "false" : "true");
        xml.WriteAttributeString("pipelineInput", PipelineInput(set));
        xml.WriteAttributeString("position", Position(parameter, setName)?.ToString(CultureInfo.InvariantCulture) ?? "named");
        xml.WriteAttributeString("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases));
        xml.WriteElementString("maml", "name", Maml, parameter.Name);
        Description(text.Description);
        if (setName is not null && AllowedValues(parameter) is { Count: > 0 } values)
        {
            xml.WriteStartElement("command", "parameterValueGroup", Command);
            foreach (var value in values)
            {
                xml.WriteStartElement("command", "parameterValue", Command);
                xml.WriteAttributeString("required", "false");
                xml.WriteAttributeString("variableLength", "false");
                xml.WriteString(value);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        else if (!isSwitch)
        {
            xml.WriteStartElement("command", "parameterValue", Command);
            xml.WriteAttributeString("required", "true");
            xml.WriteAttributeString("variableLength", parameter.ParameterType.IsArray ? "true" : "false");
            xml.WriteString(typeName);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("dev", "type", Dev);
        xml.WriteElementString("maml", "name", Maml, typeName);
        xml.WriteElementString("maml", "uri", Maml, "");
        xml.WriteEndElement();
        xml.WriteElementString("dev", "defaultValue", Dev, text.DefaultValue ?? DefaultValue(cmdlet, parameter));
        xml.WriteEndElement();
    }

    /// <summary>The attributes of the parameter in the set (or, for the parameter list, in the set it first appears in).</summary>
    private static ParameterSetMetadata SetMetadata(ParameterMetadata parameter, string? setName)
    {
        if (setName is not null && parameter.ParameterSets.TryGetValue(setName, out var own)) return own;
        if (parameter.ParameterSets.TryGetValue(ParameterAttribute.AllParameterSets, out var all)) return all;
        return parameter.ParameterSets.Values.First();
    }

    private static int? Position(ParameterMetadata parameter, string? setName)
    {
        var position = SetMetadata(parameter, setName).Position;
        return position == int.MinValue ? null : position;
    }

    private static string PipelineInput(ParameterSetMetadata set) => (set.ValueFromPipeline, set.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static List<string> AllowedValues(ParameterMetadata parameter)
    {
        if (parameter.Attributes.OfType<ValidateSetAttribute>().FirstOrDefault() is { } validateSet) return [.. validateSet.ValidValues];
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return type.IsEnum ? [.. Enum.GetNames(type)] : [];
    }

    /// <summary>The name PowerShell users see: Nullable unwrapped, no namespace (String[], Int32, LossSurface).</summary>
    private static string TypeName(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name;

    /// <summary>The value the property holds on a fresh cmdlet object: what an unbound parameter is.</summary>
    private static string DefaultValue(CmdletInfo cmdlet, ParameterMetadata parameter)
    {
        var property = cmdlet.ImplementingType.GetProperty(parameter.Name);
        if (property is null) return "None";
        var instance = Activator.CreateInstance(cmdlet.ImplementingType)!;
        try
        {
            return Format(property.GetValue(instance));
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "None",
        SwitchParameter s => s.IsPresent ? "True" : "False",
        string s => s.Length == 0 ? "None" : s,
        IEnumerable items => items.Cast<object?>().ToList() is { Count: > 0 } list ? string.Join(", ", list.Select(Format)) : "None",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "None",
    };

    private void TypeList(string list, string item, IReadOnlyList<TypeDoc> types)
    {
        xml.WriteStartElement("command", list, Command);
        foreach (var type in types)
        {
            xml.WriteStartElement("command", item, Command);
            xml.WriteStartElement("dev", "type", Dev);
            xml.WriteElementString("maml", "name", Maml, type.Name);
            xml.WriteElementString("maml", "uri", Maml, "");
            xml.WriteEndElement();
            Description(type.Description);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private void Description(IReadOnlyList<string> paragraphs)
    {
        xml.WriteStartElement("maml", "description", Maml);
        Paragraphs(paragraphs);
        xml.WriteEndElement();
    }

    private void Paragraphs(IReadOnlyList<string> paragraphs)
    {
        foreach (var paragraph in paragraphs) xml.WriteElementString("maml", "para", Maml, paragraph);
    }
}
