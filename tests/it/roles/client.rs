//! The signed-in user's permissions as the client reads them, per user of the sandbox org.

use sandbox_org::config::{DEMO_USERNAME, OPERATOR_USERNAME, VIEWER_USERNAME};
use tether::access::{Access, Action, Role, describe_says_editable};

use super::signed_in_as;
use crate::support::org::start;

async fn role_on_account(base: &str, username: &str) -> (Role, Access) {
    let client = signed_in_as(base, username).await;
    let permissions = client.user_permissions().await.expect("permissions read");
    let describe = client.describe("Account").await.expect("describe");
    let edits = describe_says_editable(&describe);
    let object = client
        .object_access(&permissions, "Account")
        .await
        .expect("object permissions read");
    assert_eq!(
        object.edit, edits,
        "{username}: ObjectPermissions and describe agree on Edit"
    );
    let mut access = Access::new("sandbox", permissions);
    access.editable.insert("Account".into(), edits);
    (access.role_on("Account").expect("read"), access)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_of_the_org_has_the_role_its_profile_gives() {
    let org = start().await;
    let (admin, access) = role_on_account(&org.base, DEMO_USERNAME).await;
    assert_eq!(admin, Role::Admin);
    assert!(access.permissions.customize_application && access.permissions.modify_all_data);
    assert!(
        !access.permissions.permission_sets.is_empty(),
        "the profile's own permission set is assigned"
    );

    let (operator, access) = role_on_account(&org.base, OPERATOR_USERNAME).await;
    assert_eq!(operator, Role::Operator);
    assert!(access.check(Action::RunSyncs, Some("Account")).is_ok());
    assert!(access.check(Action::EditLinks, Some("Account")).is_err());

    let (viewer, access) = role_on_account(&org.base, VIEWER_USERNAME).await;
    assert_eq!(viewer, Role::Viewer);
    let refusal = access
        .check(Action::WriteRecords, Some("Account"))
        .unwrap_err()
        .to_string();
    assert!(
        refusal
            .starts_with("viewer on “sandbox”: editing records of Account needs Edit on Account"),
        "{refusal}"
    );
}
