using System.Text.Json;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>Reading the settings JSON an administrator sends: each key named as the configuration names it, each refusal precise.</summary>
public sealed partial class ShopifySettingsService
{
    private static Dictionary<string, string?> ChangesFromJson(JsonElement body, List<SettingError> errors)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new SettingError(Root, "The settings must be a JSON object."));
            return changes;
        }

        foreach (var property in body.EnumerateObject())
        {
            if (property.Name == "stores")
            {
                ReadStores(property.Value, changes, errors);
            }
            else if (TopLevel.TryGetValue(property.Name, out var key))
            {
                Read(key, property.Value, changes, errors);
            }
            else if (property.Name is "multiStore" or "savedOnSite" or "unreadableSecrets" or "phoneRegion")
            {
                errors.Add(new SettingError($"{Root}:{Pascal(property.Name)}", $"{Root}:{Pascal(property.Name)} cannot be changed here{property.Name switch { "multiStore" => "; set it in configuration (it changes how users hold Shopify ids)", "phoneRegion" => "; it follows defaultRegion (or defaultCountryCallingCode)", _ => "" }}."));
            }
            else
            {
                errors.Add(new SettingError($"{Root}:{Pascal(property.Name)}", $"'{property.Name}' is not a setting; settable: {string.Join(", ", TopLevel.Keys)}, stores."));
            }
        }

        return changes;
    }

    private static void ReadStores(JsonElement stores, Dictionary<string, string?> changes, List<SettingError> errors)
    {
        if (stores.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new SettingError($"{Root}:Stores", $"{Root}:Stores must be an object keyed by store handle."));
            return;
        }

        foreach (var store in stores.EnumerateObject())
        {
            var handle = store.Name;
            if (!SettingKeys.IsValidHandle(handle))
            {
                errors.Add(new SettingError($"{Root}:Stores:{handle}", $"{Root}:Stores:{handle}: the store handle must be 1-50 letters, digits, '-' or '_'."));
                continue;
            }

            if (store.Value.ValueKind == JsonValueKind.Null)
            {
                foreach (var field in SettingKeys.StoreFields)
                {
                    changes[SettingKeys.Store(handle, field)] = null;
                }

                continue;
            }

            if (store.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new SettingError($"{Root}:Stores:{handle}", $"{Root}:Stores:{handle} must be an object or null."));
                continue;
            }

            foreach (var field in store.Value.EnumerateObject())
            {
                if (StoreLevel.TryGetValue(field.Name, out var name))
                {
                    Read(SettingKeys.Store(handle, name), field.Value, changes, errors);
                }
                else
                {
                    errors.Add(new SettingError($"{Root}:Stores:{handle}:{Pascal(field.Name)}", $"'{field.Name}' is not a store setting; settable: {string.Join(", ", StoreLevel.Keys)}."));
                }
            }
        }
    }

    private static void Read(string key, JsonElement value, Dictionary<string, string?> changes, List<SettingError> errors)
    {
        var boolean = SettingKeys.Booleans.Contains(key) || key.EndsWith(":" + SettingKeys.StoreEnabled, StringComparison.Ordinal);
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                changes[key] = null;
                break;
            case JsonValueKind.True or JsonValueKind.False when boolean:
                changes[key] = value.GetBoolean() ? "true" : "false";
                break;
            case JsonValueKind.String when !boolean:
                changes[key] = value.GetString();
                break;
            default:
                errors.Add(new SettingError($"{Root}:{key}", boolean
                    ? $"{Root}:{key} must be true, false or null (was {value.GetRawText()})."
                    : $"{Root}:{key} must be a string or null (was {Describe(value)})."));
                break;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };
}
