pub mod admin;
pub mod all_cases;
pub mod case;
pub mod my_work;
pub mod pro_forma;
pub mod raise;
pub mod report;
pub mod signin;
