//! The Connections page: connected orgs with their status and API budget, and the connect
//! wizard (production, sandbox, My Domain or any host; the built-in sandbox org one click away).

use chrono::Utc;
use egui::{Margin, RichText, Ui};

use crate::desktop::{ConnectionStatus, ConnectionView, Event, LoginTarget, Request, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::format::relative_time;
use crate::ui::model::Model;
use crate::ui::theme::{self, GRID};
use crate::ui::{chrome, widgets};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    #[default]
    Production,
    Sandbox,
    MyDomain,
    Custom,
}

impl Environment {
    const ALL: [Environment; 4] = [
        Environment::Production,
        Environment::Sandbox,
        Environment::MyDomain,
        Environment::Custom,
    ];

    fn label(self) -> &'static str {
        match self {
            Environment::Production => "Production",
            Environment::Sandbox => "Sandbox",
            Environment::MyDomain => "My Domain",
            Environment::Custom => "Custom host",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Environment::Production => "Signs in at login.salesforce.com.",
            Environment::Sandbox => "Signs in at test.salesforce.com.",
            Environment::MyDomain => "Your company's login address, e.g. acme.my.salesforce.com.",
            Environment::Custom => "Any Salesforce-compatible host, e.g. http://127.0.0.1:8443.",
        }
    }
}

#[derive(Default)]
pub struct ConnectionsState {
    pub wizard_open: bool,
    pub environment: Environment,
    pub host: String,
    pub client_id: String,
    pub name: String,
    /// The connection waiting for the user to confirm its removal.
    pub confirm_disconnect: Option<String>,
}

impl ConnectionsState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Connected(_) => self.wizard_open = false,
            Event::Disconnected { name } if self.confirm_disconnect.as_ref() == Some(name) => {
                self.confirm_disconnect = None;
            }
            _ => {}
        }
    }

    pub fn open_wizard(&mut self) {
        self.wizard_open = true;
    }

    pub fn close_wizard(&mut self) {
        self.wizard_open = false;
    }

    /// The wizard's choice, or what is missing from it.
    pub fn target(&self) -> Result<LoginTarget, String> {
        let host = self.host.trim();
        match self.environment {
            Environment::Production => Ok(LoginTarget::Production),
            Environment::Sandbox => Ok(LoginTarget::Sandbox),
            Environment::MyDomain if host.is_empty() => {
                Err("Type your My Domain, e.g. acme.my.salesforce.com".to_string())
            }
            Environment::MyDomain => Ok(LoginTarget::MyDomain(host.to_string())),
            Environment::Custom if host.is_empty() => {
                Err("Type the host to sign in at, e.g. https://login.example.com".to_string())
            }
            Environment::Custom => Ok(LoginTarget::Custom(host.to_string())),
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut ConnectionsState, model: &Model, commands: &mut Commands) {
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("Connections").heading().strong());
                ui.label(RichText::new("The Salesforce orgs Tether signs in to. Tokens stay in the system keychain.").weak());
            });
            widgets::right_aligned(ui, |ui| {
                if !state.wizard_open && widgets::primary_button(ui, "Connect org…", true).clicked() {
                    commands.push(Command::OpenConnectWizard);
                }
                if model.connections.iter().all(|c| !c.embedded)
                    && ui
                        .add_enabled(model.connecting.is_none(), egui::Button::new("Explore the sandbox org"))
                        .on_hover_text("Starts a built-in org with demo data; nothing leaves this computer")
                        .clicked()
                {
                    commands.send(Request::ConnectSandbox);
                }
            });
        });
        ui.add_space(GRID);
        widgets::failure_banner(ui, model.failures.get(&Topic::Connections));
        if state.wizard_open || model.connecting.is_some() {
            wizard(ui, state, model, commands);
            ui.add_space(2.0 * GRID);
        }
        if model.connections.is_empty() {
            if !model.connections_loaded {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(RichText::new("Loading connections…").weak());
                });
            } else if !state.wizard_open {
                widgets::empty_state(
                    ui,
                    "No connections yet",
                    "Connect an org, or explore the sandbox org with demo data.",
                    |_| {},
                );
            }
            return;
        }
        for connection in &model.connections {
            connection_card(ui, connection, state, commands);
            ui.add_space(GRID);
        }
    });
}

fn wizard(ui: &mut Ui, state: &mut ConnectionsState, model: &Model, commands: &mut Commands) {
    widgets::card(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("Connect an org").size(16.0).strong());
        ui.add_space(GRID / 2.0);
        if let Some(step) = &model.connecting {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(step);
            });
            if let Some(url) = &model.sign_in_url {
                ui.label(RichText::new("If no browser opened, open this address yourself:").weak());
                ui.horizontal(|ui| {
                    let mut shown = url.as_str();
                    let field = ui.add(
                        egui::TextEdit::singleline(&mut shown)
                            .desired_width(ui.available_width() - 80.0),
                    );
                    field.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Sign-in address")
                    });
                    if ui.button("Copy").clicked() {
                        ui.ctx().copy_text(url.clone());
                    }
                });
            }
            if ui.button("Cancel sign-in").clicked() {
                commands.send(Request::CancelConnect);
            }
            return;
        }
        ui.horizontal(|ui| {
            for env in Environment::ALL {
                let r = ui.selectable_value(&mut state.environment, env, env.label());
                r.widget_info(|| {
                    egui::WidgetInfo::selected(
                        egui::Role::RadioButton,
                        true,
                        state.environment == env,
                        env.label(),
                    )
                });
            }
        });
        ui.label(RichText::new(state.environment.help()).small().weak());
        ui.add_space(GRID / 2.0);
        egui::Grid::new("connect_form").num_columns(2).spacing([2.0 * GRID, GRID]).show(ui, |ui| {
            if matches!(state.environment, Environment::MyDomain | Environment::Custom) {
                let label = ui.label("Host");
                ui.add(egui::TextEdit::singleline(&mut state.host).hint_text("acme.my.salesforce.com").desired_width(360.0))
                    .labelled_by(label.id);
                ui.end_row();
            }
            let label = ui.label("Consumer key");
            ui.add(egui::TextEdit::singleline(&mut state.client_id).hint_text("of your connected app").desired_width(360.0))
                .labelled_by(label.id)
                .on_hover_text("The connected app's consumer key. Its callback URL must be http://localhost:1717/OauthRedirect");
            ui.end_row();
            let label = ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut state.name).hint_text("defaults to your username").desired_width(360.0))
                .labelled_by(label.id);
            ui.end_row();
        });
        ui.add_space(GRID);
        let target = state.target();
        let missing = if state.client_id.trim().is_empty() {
            Some("Type the consumer key of your connected app".to_string())
        } else {
            target.as_ref().err().cloned()
        };
        ui.horizontal(|ui| {
            let sign_in =
                widgets::primary_button(ui, "Sign in with the browser", missing.is_none());
            if let Some(why) = &missing {
                sign_in.clone().on_disabled_hover_text(why);
            }
            if sign_in.clicked()
                && let Ok(target) = target
            {
                let name = state.name.trim();
                commands.send(Request::Connect {
                    target,
                    client_id: state.client_id.trim().to_string(),
                    name: (!name.is_empty()).then(|| name.to_string()),
                });
            }
            if ui.button("Close").clicked() {
                commands.push(Command::CloseConnectWizard);
            }
        });
        if let Some(why) = missing {
            ui.label(RichText::new(why).small().weak());
        }
    });
}

fn connection_card(
    ui: &mut Ui,
    c: &ConnectionView,
    state: &mut ConnectionsState,
    commands: &mut Commands,
) {
    egui::Frame::new()
        .fill(theme::card_fill(ui.visuals()))
        .stroke(theme::hairline(ui.visuals()))
        .corner_radius(theme::CARD_RADIUS)
        .inner_margin(Margin::same(16))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(&c.name).size(16.0).strong());
                if c.embedded {
                    widgets::badge(ui, "Built-in sandbox", theme::WARNING);
                }
                match &c.status {
                    ConnectionStatus::Ok => widgets::status(ui, theme::SUCCESS, "Connected"),
                    ConnectionStatus::Checking => {
                        ui.spinner();
                        ui.label(RichText::new("Checking…").weak())
                    }
                    ConnectionStatus::Unknown => ui.label(RichText::new("Not checked yet").weak()),
                    ConnectionStatus::SignInAgain(_) => {
                        widgets::status(ui, theme::DANGER, "Sign in again")
                    }
                    ConnectionStatus::Unreachable(_) => {
                        widgets::status(ui, theme::DANGER, "Unreachable")
                    }
                };
                widgets::right_aligned(ui, |ui| {
                    if state.confirm_disconnect.as_ref() == Some(&c.name) {
                        if ui.button("Keep").clicked() {
                            state.confirm_disconnect = None;
                        }
                        let confirm = ui.add(egui::Button::new(
                            RichText::new("Disconnect").color(theme::DANGER),
                        ));
                        confirm.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Confirm disconnect {}", c.name),
                            )
                        });
                        if confirm.clicked() {
                            commands.send(Request::Disconnect {
                                name: c.name.clone(),
                            });
                        }
                        ui.label(
                            RichText::new("Links of this org stop syncing.")
                                .small()
                                .weak(),
                        );
                    } else {
                        let disconnect = ui.button("Disconnect…");
                        disconnect.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Disconnect {}", c.name),
                            )
                        });
                        if disconnect.clicked() {
                            state.confirm_disconnect = Some(c.name.clone());
                        }
                        if !c.embedded {
                            let reconnect = ui.button("Reconnect");
                            reconnect.widget_info(|| {
                                egui::WidgetInfo::labeled(
                                    egui::Role::Button,
                                    true,
                                    format!("Reconnect {}", c.name),
                                )
                            });
                            if reconnect
                                .on_hover_text("Sign in again in the browser")
                                .clicked()
                            {
                                commands.send(Request::Reconnect {
                                    name: c.name.clone(),
                                });
                            }
                        }
                        let check = ui.add_enabled(
                            c.status != ConnectionStatus::Checking,
                            egui::Button::new("Check"),
                        );
                        check.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Check {}", c.name),
                            )
                        });
                        if check
                            .on_hover_text("Check the connection and read its API usage")
                            .clicked()
                        {
                            commands.send(Request::CheckConnection {
                                name: c.name.clone(),
                            });
                        }
                    }
                });
            });
            match &c.status {
                ConnectionStatus::SignInAgain(why) | ConnectionStatus::Unreachable(why) => {
                    ui.label(RichText::new(why).color(theme::DANGER));
                }
                _ => {}
            }
            ui.add_space(GRID / 2.0);
            egui::Grid::new(("connection", &c.name))
                .num_columns(2)
                .spacing([3.0 * GRID, GRID / 2.0])
                .show(ui, |ui| {
                    row(ui, "User", &c.username);
                    row(ui, "Instance", &c.instance_url);
                    row(ui, "Org ID", &c.org_id);
                    let ago = (Utc::now() - c.connected_at).to_std().unwrap_or_default();
                    row(ui, "Connected", &relative_time(ago));
                    ui.label(RichText::new("API usage today").weak());
                    ui.horizontal(|ui| match c.api_usage {
                        Some((used, max)) => chrome::usage_bar(ui, used, max),
                        None => {
                            ui.label(RichText::new("Not known yet: press Check").weak());
                        }
                    });
                    ui.end_row();
                });
        });
}

fn row(ui: &mut Ui, label: &str, value: &str) {
    ui.label(RichText::new(label).weak());
    ui.label(value);
    ui.end_row();
}
