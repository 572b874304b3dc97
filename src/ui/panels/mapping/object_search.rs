//! The object picker of the New link form and the Records page: a combo box whose popup starts
//! with a search box, so one types a few letters of the label or API name instead of scrolling
//! hundreds of objects.

use egui::{ComboBox, PopupCloseBehavior, Ui};

/// Whether an object, shown as `text` ("Label (ApiName)"), matches what is typed: any part of
/// its label or API name, case aside.
pub(crate) fn matches(text: &str, typed: &str) -> bool {
    let typed = typed.trim().to_lowercase();
    typed.is_empty() || text.to_lowercase().contains(&typed)
}

/// The picker over `options` (API name, "Label (ApiName)"); the choice is written into `value`.
/// The search box sits above the list, so it keeps its place while the list below it filters;
/// it takes the keyboard when the popup opens, and Enter picks the first match.
pub(super) fn object_picker(
    ui: &mut Ui,
    value: &mut String,
    search: &mut String,
    options: &[(String, String)],
) {
    picker(ui, "new_link", value, search, options);
}

/// [`object_picker`] for any page: `salt` keeps each page's popup state apart.
pub(crate) fn picker(
    ui: &mut Ui,
    salt: &str,
    value: &mut String,
    search: &mut String,
    options: &[(String, String)],
) {
    let label = "Salesforce object";
    let shown = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("Choose…".to_string(), |(_, text)| text.clone());
    let shown_again = shown.clone();
    let id = ui.make_persistent_id((salt, label, "opened"));
    let inner = ComboBox::from_id_salt((salt, label))
        .selected_text(shown)
        .width(260.0)
        .height(320.0)
        .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            let field = ui.add(
                egui::TextEdit::singleline(search)
                    .hint_text("Type a label or API name")
                    .desired_width(240.0),
            );
            field.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search objects")
            });
            // Focus the box once per opening, so typing starts at once. The click that opened
            // the popup can take the focus back on the next frame, so ask until the box has it.
            let focused_before = ui.data(|d| d.get_temp::<bool>(id).unwrap_or(false));
            if !focused_before {
                if field.has_focus() {
                    ui.data_mut(|d| d.insert_temp(id, true));
                } else {
                    field.request_focus();
                }
            }
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let found: Vec<&(String, String)> = options
                .iter()
                .filter(|(_, text)| matches(text, search))
                .collect();
            if enter && let Some((first, _)) = found.first() {
                *value = first.clone();
                ui.close();
            }
            if found.is_empty() {
                ui.weak("No object matches");
            }
            for (option, text) in found {
                if ui.selectable_label(value == option, text).clicked() {
                    *value = option.clone();
                    ui.close();
                }
            }
        });
    if inner.inner.is_none() {
        ui.data_mut(|d| d.remove::<bool>(id));
    }
    inner.response.widget_info(|| {
        let mut info = egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label);
        info.current_text_value = Some(shown_again.clone());
        info
    });
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn matches_label_or_api_name_anywhere_case_aside() {
        let text = "Opportunity Product (OpportunityLineItem)";
        assert!(matches(text, "product"));
        assert!(matches(text, "LINEITEM"));
        assert!(matches(text, "  "));
        assert!(!matches(text, "contact"));
    }
}
